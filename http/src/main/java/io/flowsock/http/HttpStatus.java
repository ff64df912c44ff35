package io.flowsock.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reason phrases and ready-made status lines for the status codes of RFC 9110. */
final class HttpStatus {
    private static final String[] REASONS = new String[600];
    private static final byte[][] LINES_11 = new byte[600][];

    static {
        reason(100, "Continue");
        reason(101, "Switching Protocols");
        reason(200, "OK");
        reason(201, "Created");
        reason(202, "Accepted");
        reason(203, "Non-Authoritative Information");
        reason(204, "No Content");
        reason(205, "Reset Content");
        reason(206, "Partial Content");
        reason(300, "Multiple Choices");
        reason(301, "Moved Permanently");
        reason(302, "Found");
        reason(303, "See Other");
        reason(304, "Not Modified");
        reason(307, "Temporary Redirect");
        reason(308, "Permanent Redirect");
        reason(400, "Bad Request");
        reason(401, "Unauthorized");
        reason(403, "Forbidden");
        reason(404, "Not Found");
        reason(405, "Method Not Allowed");
        reason(406, "Not Acceptable");
        reason(408, "Request Timeout");
        reason(409, "Conflict");
        reason(410, "Gone");
        reason(411, "Length Required");
        reason(412, "Precondition Failed");
        reason(413, "Content Too Large");
        reason(414, "URI Too Long");
        reason(415, "Unsupported Media Type");
        reason(416, "Range Not Satisfiable");
        reason(417, "Expectation Failed");
        reason(421, "Misdirected Request");
        reason(422, "Unprocessable Content");
        reason(426, "Upgrade Required");
        reason(428, "Precondition Required");
        reason(429, "Too Many Requests");
        reason(431, "Request Header Fields Too Large");
        reason(500, "Internal Server Error");
        reason(501, "Not Implemented");
        reason(502, "Bad Gateway");
        reason(503, "Service Unavailable");
        reason(504, "Gateway Timeout");
        reason(505, "HTTP Version Not Supported");
    }

    private HttpStatus() {
    }

    private static void reason(int code, String reason) {
        REASONS[code] = reason;
        LINES_11[code] = ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static int check(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("status must be in 100..599, was " + code);
        }
        return code;
    }

    static String reason(int code) {
        String r = REASONS[code];
        return r != null ? r : code < 200 ? "Informational" : code < 300 ? "Success" : code < 400 ? "Redirection"
                : code < 500 ? "Client Error" : "Server Error";
    }

    /** "HTTP/1.1 200 OK\r\n"; responses to HTTP/1.0 requests say HTTP/1.1 too (RFC 9110, 2.5). */
    static void statusLine(Ascii out, int code) {
        byte[] line = LINES_11[code];
        if (line != null) {
            out.append(line);
        } else {
            out.append("HTTP/1.1 ").append(code).append(" ").append(reason(code)).crlf();
        }
    }

    /** 1xx, 204 and 304 responses never carry content (RFC 9112, 6.3). */
    static boolean hasNoContent(int code) {
        return code < 200 || code == 204 || code == 304;
    }

    /**
     * The server's own answer to a request it will not serve: the status, a text body that says
     * why, {@code Connection: close}; {@code extraFields} are whole header lines ("Name: value\r\n").
     */
    static ByteBuffer errorAnswer(int status, String why, String extraFields) {
        byte[] text = (status + " " + reason(status) + ": " + why + "\n").getBytes(StandardCharsets.UTF_8);
        Ascii out = new Ascii(256 + extraFields.length() + text.length);
        statusLine(out, status);
        out.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(text.length).crlf()
                .append(extraFields).append("Connection: close\r\n").append(DateHeader.line()).crlf().append(text);
        return out.toBuffer();
    }
}
