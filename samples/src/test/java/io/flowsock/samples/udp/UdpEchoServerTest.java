package io.flowsock.samples.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.UdpEndpoint;
import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class UdpEchoServerTest {
    @Test
    void socatsDatagramComesBackUnchanged() throws Exception {
        Assumptions.assumeTrue(onPath("socat"), "socat is not on the PATH (Debian package socat)");
        UdpEndpoint server = UdpEchoServer.start("127.0.0.1", 0);
        try {
            Process p = new ProcessBuilder("socat", "-t", "2", "-", "UDP4:127.0.0.1:" + server.localAddress().getPort())
                    .redirectErrorStream(true).start();
            try {
                p.getOutputStream().write("ping over UDP".getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("socat ended").isTrue();
                assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("ping over UDP");
            } finally {
                p.destroyForcibly();
            }
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void echoesEachDatagramToItsSender() throws Exception {
        UdpEndpoint server = UdpEchoServer.start("127.0.0.1", 0);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(10_000);
            for (int i = 0; i < 10; i++) {
                byte[] b = ("datagram " + i).getBytes(StandardCharsets.UTF_8);
                peer.send(new DatagramPacket(b, b.length, server.localAddress()));
                DatagramPacket back = new DatagramPacket(new byte[100], 100);
                peer.receive(back);
                assertThat(new String(back.getData(), 0, back.getLength(), StandardCharsets.UTF_8))
                        .isEqualTo("datagram " + i);
            }
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
