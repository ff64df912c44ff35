package io.flowsock.core.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.spi.DatagramTooLongIOException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK reports a send's EMSGSIZE only by its text; the nio2 backend turns exactly that refusal,
 * as this JDK throws it over a real socket, into the typed one the core maps, and nothing else.
 */
@Timeout(10)
class Nio2DatagramTooLongTest {

    @Test
    void theJdksOwnRefusalOfAnOversizedDatagramIsTyped() throws IOException {
        IOException refused = null;
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress self = (InetSocketAddress) channel.getLocalAddress();
            try {
                channel.send(ByteBuffer.allocate(70_000), self);
            } catch (IOException e) {
                refused = e;
            }
        }
        assertThat(refused).as("a 70,000-byte UDP send must be refused by the kernel").isNotNull();

        IOException typed = Nio2Datagram.tooLongOrAsIs(refused, 70_000);

        assertThat(typed).isInstanceOf(DatagramTooLongIOException.class)
                .hasMessageContaining("70000 bytes").hasCause(refused);
    }

    @Test
    void anyOtherIoErrorIsPassedOnAsItCame() {
        IOException reset = new IOException("Connection refused");
        java.net.PortUnreachableException unreachable = new java.net.PortUnreachableException("ICMP Port Unreachable");

        assertThat(Nio2Datagram.tooLongOrAsIs(reset, 8)).isSameAs(reset);
        assertThat(Nio2Datagram.tooLongOrAsIs(unreachable, 8)).isSameAs(unreachable);
    }
}
