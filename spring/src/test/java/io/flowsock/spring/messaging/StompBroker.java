package io.flowsock.spring.messaging;

import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import reactor.core.publisher.Flux;

/**
 * A STOMP broker just large enough to talk to: CONNECT is answered CONNECTED, SEND comes back as
 * a MESSAGE of the same destination and body, DISCONNECT with its RECEIPT and a close. Frames are
 * cut at their NUL and decoded whole by Spring's {@link StompDecoder}, answers made by Spring's
 * {@link StompEncoder}, so nothing of the client under test decodes for the broker.
 */
final class StompBroker {
    private final DisposableServer server;
    /** Answers go out one byte a write, to cut every frame the client reads. */
    private final boolean byteByByte;
    private final AtomicInteger messageIds = new AtomicInteger();

    StompBroker(int port, boolean byteByByte) {
        this.byteByByte = byteByByte;
        this.server = TcpServer.create().host("127.0.0.1").port(port).handle(this::serve).bindNow();
    }

    int port() {
        return server.port();
    }

    void stop() {
        server.disposeNow(java.time.Duration.ofSeconds(5));
    }

    private Publisher<Void> serve(Connection conn) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        StompDecoder decoder = new StompDecoder();
        // the inbound's signals are serial, so frame and decoder are used by one thread at a time
        return conn.inbound().concatMap(b -> {
            List<byte[]> answers = new ArrayList<>();
            boolean disconnect = false;
            while (b.hasRemaining()) {
                byte c = b.get();
                frame.write(c);
                if (c == 0) {
                    for (Message<byte[]> m : decoder.decode(ByteBuffer.wrap(frame.toByteArray()))) {
                        StompHeaderAccessor in = StompHeaderAccessor.wrap(m);
                        if (in.getCommand() == StompCommand.DISCONNECT) {
                            disconnect = true;
                        }
                        byte[] answer = answer(in, m.getPayload());
                        if (answer != null) {
                            answers.add(answer);
                        }
                    }
                    frame.reset();
                }
            }
            return conn.send(bytes(answers)).thenReturn(disconnect);
        }).takeUntil(Boolean::booleanValue).then();   // the handler's end closes the connection gracefully
    }

    private Flux<ByteBuffer> bytes(List<byte[]> answers) {
        Flux<byte[]> frames = Flux.fromIterable(answers);
        if (!byteByByte) {
            // all the answers to one read in one buffer: several frames for one decode
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            answers.forEach(all::writeBytes);
            return all.size() == 0 ? Flux.empty() : Flux.just(ByteBuffer.wrap(all.toByteArray()));
        }
        return frames.concatMapIterable(f -> {
            List<ByteBuffer> single = new ArrayList<>(f.length);
            for (byte x : f) {
                single.add(ByteBuffer.wrap(new byte[] {x}));
            }
            return single;
        });
    }

    private byte[] answer(StompHeaderAccessor in, byte[] body) {
        if (in.getCommand() == null) {
            return null;   // a heart-beat
        }
        StompHeaderAccessor out;
        switch (in.getCommand()) {
            case CONNECT, STOMP -> {
                out = StompHeaderAccessor.create(StompCommand.CONNECTED);
                out.setVersion("1.2");
            }
            case SEND -> {
                out = StompHeaderAccessor.create(StompCommand.MESSAGE);
                out.setDestination(in.getDestination());
                out.setSubscriptionId("sub-0");
                out.setMessageId(Integer.toString(messageIds.incrementAndGet()));
                if (in.getContentType() != null) {
                    out.setContentType(in.getContentType());
                }
            }
            case DISCONNECT -> {
                out = StompHeaderAccessor.create(StompCommand.RECEIPT);
                out.setReceiptId(in.getReceipt());
            }
            default -> {
                return null;
            }
        }
        return new StompEncoder().encode(MessageBuilder.createMessage(
                in.getCommand() == StompCommand.SEND ? body : new byte[0], out.getMessageHeaders()));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
