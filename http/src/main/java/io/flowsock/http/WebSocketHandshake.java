package io.flowsock.http;

import java.nio.ByteBuffer;

/**
 * The server's side of the WebSocket opening handshake (RFC 6455, 4.2): whether a request is one,
 * the subprotocol agreed, and the answers, a 101 or the refusal.
 */
final class WebSocketHandshake {
    /** The response fields the handshake owns: whatever the handler set for them is dropped. */
    private static final String[] OWNED = {"Content-Length", "Transfer-Encoding", "Connection", "Upgrade",
            "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"};

    private WebSocketHandshake() {
    }

    /** Why {@code r} is no WebSocket handshake (RFC 6455, 4.2.1), or null when it is one. */
    static String refusal(ServerRequest r) {
        HttpHeaders h = r.headers();
        if (!r.method().equals("GET")) {
            return "a WebSocket handshake is a GET, not " + r.method();
        }
        if (!r.version().equals("HTTP/1.1")) {
            return "a WebSocket handshake is HTTP/1.1, not " + r.version();
        }
        if (!h.containsToken("Upgrade", "websocket")) {
            return "a WebSocket handshake has Upgrade: websocket";
        }
        if (!h.containsToken("Connection", "upgrade")) {
            return "a WebSocket handshake has Connection: Upgrade";
        }
        String version = h.get("Sec-WebSocket-Version").orElse("");
        if (!version.equals("13")) {
            return "Sec-WebSocket-Version must be 13, was \"" + version + "\"";
        }
        String key = h.get("Sec-WebSocket-Key").orElse("");
        if (!WebSocketFrames.validKey(key)) {
            return "Sec-WebSocket-Key must be 16 bytes in base64, was \"" + key + "\"";
        }
        if (r.contentLength().orElse(1) != 0) {
            return "a WebSocket handshake has no body";
        }
        return null;
    }

    /**
     * The answer to a request {@link #refusal} refused: 400, or 426 with the version this server
     * speaks when only the version was wrong (RFC 6455, 4.4).
     */
    static ByteBuffer refusalAnswer(String refusal) {
        return refusal.startsWith("Sec-WebSocket-Version")
                ? HttpStatus.errorAnswer(426, refusal, "Sec-WebSocket-Version: 13\r\n")
                : HttpStatus.errorAnswer(400, refusal, "");
    }

    /** The subprotocol to answer with: the spec's, if the client offered it; else null. */
    static String agreed(ServerRequest r, WebSocketSpec spec) {
        String p = spec.subprotocol();
        return p != null && r.headers().containsToken("Sec-WebSocket-Protocol", p) ? p : null;
    }

    /** Drops the fields the handshake owns from the handler's response headers. */
    static void clearOwned(HttpHeaders h) {
        for (String name : OWNED) {
            h.remove(name);
        }
    }

    /** permessage-deflate as the server agrees to it: only when the spec asks for compression and the client offers it. */
    static PerMessageDeflate.Agreed extension(ServerRequest r, WebSocketSpec spec) {
        return spec.compress() ? PerMessageDeflate.accept(r.headers()) : null;
    }

    /**
     * The 101 to a handshake {@link #refusal} accepted, with the handler's own fields after the
     * handshake's; {@code extension} is what was agreed of permessage-deflate, or null.
     */
    static ByteBuffer switching(ServerRequest r, String protocol, PerMessageDeflate.Agreed extension, HttpHeaders h) {
        String key = r.headers().get("Sec-WebSocket-Key").orElseThrow();
        Ascii out = new Ascii(192 + h.byteLength());
        HttpStatus.statusLine(out, 101);
        out.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
                .append(WebSocketFrames.accept(key)).crlf();
        if (protocol != null) {
            out.append("Sec-WebSocket-Protocol: ").append(protocol).crlf();
        }
        if (extension != null) {
            out.append("Sec-WebSocket-Extensions: ").append(extension.answer()).crlf();
        }
        h.writeTo(out);
        return out.crlf().toBuffer();
    }
}
