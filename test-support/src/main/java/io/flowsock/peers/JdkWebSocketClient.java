package io.flowsock.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The JDK's WebSocket client ({@code java.net.http}, written by nobody here) as a test peer: what
 * it received, each whole message (a String for text, a byte[] for binary, "pong:" and the text
 * of a pong's payload), and the close it got.
 */
public final class JdkWebSocketClient implements WebSocket.Listener {
    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicReference<String> closeReason = new AtomicReference<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private WebSocket ws;

    private JdkWebSocketClient() {
    }

    /** Opens {@code ws://127.0.0.1:port/ws}, offering {@code subprotocols} in that order. */
    public static JdkWebSocketClient connect(int port, String... subprotocols) throws Exception {
        return connect(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/ws"), subprotocols);
    }

    /** Opens {@code uri} ({@code ws:} or {@code wss:}) with {@code client}, offering {@code subprotocols}. */
    public static JdkWebSocketClient connect(HttpClient client, URI uri, String... subprotocols) throws Exception {
        JdkWebSocketClient c = new JdkWebSocketClient();
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        c.ws = b.buildAsync(uri, c).get(10, TimeUnit.SECONDS);
        return c;
    }

    /** The JDK's WebSocket, to send with. */
    public WebSocket ws() {
        return ws;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            messages.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        messages.add("pong:" + StandardCharsets.UTF_8.decode(message));
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason.set(reason);
        closed.complete(statusCode);
        return null;   // the JDK then answers with a close of the same status
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    /** The next whole message, within 15 s. */
    public Object next() throws InterruptedException {
        Object m = messages.poll(15, TimeUnit.SECONDS);
        assertThat(m).as("a message within 15 s").isNotNull();
        return m;
    }

    /** The status of the close frame received, within 15 s. */
    public int closeCode() throws Exception {
        return closed.get(15, TimeUnit.SECONDS);
    }

    /** The reason of the close frame received (once {@link #closeCode()} returned). */
    public String closeReason() {
        return closeReason.get();
    }
}
