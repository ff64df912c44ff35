package io.flowsock.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load's HTTP reader against a scripted peer on a real socket: chunked bodies, as the SSE streams come. */
@Timeout(10)
class HttpConnectionTest {
    @Test
    void aChunkedStreamIsReadToItsLastChunkAndTheConnectionStaysUsable() throws Exception {
        String events = SseLoad.stream(3);
        String first = events.substring(0, 7);
        String rest = events.substring(7);
        String answer = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n"
                + Integer.toHexString(rest.length()) + ";ext=1\r\n" + rest + "\r\n0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = serve(listener, answer);
            try (HttpConnection c = new HttpConnection((InetSocketAddress) listener.getLocalSocketAddress(), 64)) {
                HttpConnection.Response sse = c.get("/sse?count=3");
                assertThat(sse.status()).isEqualTo(200);
                assertThat(sse.body()).isEqualTo("id:0\ndata:tick 0\n\nid:1\ndata:tick 1\n\nid:2\ndata:tick 2\n\n");
                assertThat(c.read().body()).isEqualTo("ok");
            }
            peer.get();
        }
    }

    @Test
    void aChunkSizeThatIsNoNumberIsAnErrorNamingIt() throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = serve(listener, answer);
            try (HttpConnection c = new HttpConnection((InetSocketAddress) listener.getLocalSocketAddress())) {
                assertThatThrownBy(() -> c.get("/sse")).isInstanceOf(IOException.class).hasMessageContaining("\"zz\"");
            }
            peer.get();
        }
    }

    /** Accepts one connection, reads a request head, writes {@code answer} and waits for the client's close. */
    private static CompletableFuture<Void> serve(ServerSocket listener, String answer) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                int matched = 0;
                byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                while (matched < end.length) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
                }
                OutputStream out = s.getOutputStream();
                out.write(answer.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
