package io.flowsock.spring.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.simp.stomp.StompTcpMessageCodec;
import org.springframework.messaging.support.MessageBuilder;

/** What is left of a cut frame is kept, grown as it must, and bounded. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CumulationTest {
    private static byte[] frame(byte[] body) {
        StompHeaderAccessor h = StompHeaderAccessor.create(StompCommand.MESSAGE);
        h.setDestination("/queue/a");
        h.setSubscriptionId("s");
        h.setMessageId("1");
        return new StompEncoder().encode(MessageBuilder.createMessage(body, h.getMessageHeaders()));
    }

    /** Feeds {@code bytes} in pieces of {@code piece} bytes, each in a buffer of its own. */
    private static List<Message<byte[]>> feed(Cumulation<byte[]> c, byte[] bytes, int piece) {
        List<Message<byte[]>> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += piece) {
            out.addAll(c.decode(ByteBuffer.wrap(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)))));
        }
        return out;
    }

    @Test
    void aFrameCutIntoSingleBytesDecodesOnceWhole() {
        byte[] body = "one byte at a time".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Cumulation<byte[]> c = new Cumulation<>(new StompTcpMessageCodec(), 1024);
        List<Message<byte[]>> messages = feed(c, frame(body), 1);
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).getPayload()).isEqualTo(body);
        assertThat(c.pending()).isZero();
    }

    @Test
    void aLargeFrameInSmallPiecesGrowsThePendingBufferAndFramesSharingABufferAllDecode() {
        byte[] big = new byte[300 * 1024];   // past the first pending buffer's room many times; NULs and all,
        // since the encoder writes a content-length
        new Random(1).nextBytes(big);
        byte[] small = "small".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] a = frame(big);
        byte[] b = frame(small);
        byte[] stream = new byte[a.length + 2 * b.length];
        System.arraycopy(a, 0, stream, 0, a.length);
        System.arraycopy(b, 0, stream, a.length, b.length);
        System.arraycopy(b, 0, stream, a.length + b.length, b.length);
        Cumulation<byte[]> c = new Cumulation<>(new StompTcpMessageCodec(), 1 << 20);
        List<Message<byte[]>> messages = feed(c, stream, 1000);
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).getPayload()).isEqualTo(big);
        assertThat(messages.get(1).getPayload()).isEqualTo(small);
        assertThat(messages.get(2).getPayload()).isEqualTo(small);
        assertThat(c.pending()).isZero();
    }

    @Test
    void moreThanTheLimitWithoutAWholeMessageIsRefusedNamingIt() {
        Cumulation<byte[]> c = new Cumulation<>(new StompTcpMessageCodec(), 4096);
        byte[] unfinished = frame(new byte[8192]);
        assertThatThrownBy(() -> feed(c, Arrays.copyOf(unfinished, 6000), 1000))
                .isInstanceOf(FrameTooLargeException.class)
                .hasMessageContaining("at most 4096 are held")
                .satisfies(e -> assertThat(((FrameTooLargeException) e).maxLength()).isEqualTo(4096));
    }
}
