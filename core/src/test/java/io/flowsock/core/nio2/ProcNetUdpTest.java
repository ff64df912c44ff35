package io.flowsock.core.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Finding a socket's line in /proc/net/udp{,6} by its local address and port, as Linux prints them. */
@Timeout(10)
class ProcNetUdpTest {
    private static final String HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode ref pointer drops";

    @Test
    void theDropsOfTheLineWithTheSocketsAddressAndPortAreRead() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the lines below are x86's");
        List<String> lines = List.of(HEADER,
                "  648: 0100007F:886E 0100007F:D233 01 00000000:00000000 00:00000000 00000000     0        0 16013579 2 "
                        + "00000000978be262 7",
                " 3149: 0200007F:886E 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 16014964 2 "
                        + "000000001fe586cd 3",
                " 3150: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 16014965 2 "
                        + "000000001fe586ce 11");
        assertThat(ProcNetUdp.find(lines, new InetSocketAddress("127.0.0.1", 0x886E))).isEqualTo(7);
        assertThat(ProcNetUdp.find(lines, new InetSocketAddress("127.0.0.2", 0x886E))).isEqualTo(3);
        assertThat(ProcNetUdp.find(lines, new InetSocketAddress("0.0.0.0", 8080))).isEqualTo(11);
        assertThat(ProcNetUdp.find(lines, new InetSocketAddress("127.0.0.1", 8080))).isEqualTo(-1);
    }

    @Test
    void anIpv6AddressIsReadWordByWord() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the lines below are x86's");
        List<String> lines = List.of(HEADER,
                "  100: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 07 "
                        + "00000000:00000000 00:00000000 00000000     0        0 2345 2 0000000000000000 5");
        assertThat(ProcNetUdp.find(lines, new InetSocketAddress("::1", 8080))).isEqualTo(5);
        assertThat(ProcNetUdp.find(lines, new InetSocketAddress("::", 8080))).isEqualTo(-1);
    }
}
