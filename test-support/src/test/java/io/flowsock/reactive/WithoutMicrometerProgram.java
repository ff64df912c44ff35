package io.flowsock.reactive;

import io.flowsock.core.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import reactor.core.publisher.Flux;
import reactor.util.Loggers;

/**
 * What {@link WithoutMicrometerTest} runs in a JVM whose class path holds no Micrometer jar: the
 * builders' classes load, a plain echo, a wiretapped one and a UDP one return their bytes, {@code metrics(false)}
 * is accepted and {@code metrics(true)} is refused naming the artifact to add. Prints one
 * {@code RESULT} line and exits 0 only when all of that held; a problem's line says which.
 */
public final class WithoutMicrometerProgram {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private WithoutMicrometerProgram() {
    }

    public static void main(String[] args) {
        List<String> problems = new ArrayList<>();
        String refusal = "";
        try {
            if (onClassPath("io.micrometer.core.instrument.MeterRegistry")) {
                problems.add("Micrometer is on this JVM's class path, so this run proves nothing");
            }
            for (String c : new String[] {"TcpSettings", "TcpServer", "TcpClient", "Taps", "Wiretap"}) {
                Class.forName("io.flowsock.reactive." + c, true, WithoutMicrometerProgram.class.getClassLoader());
            }
            Loggers.useJdkLoggers();                          // the wiretap's lines, counted below
            AtomicInteger logged = new AtomicInteger();
            Logger category = Logger.getLogger("flowsock.child.wiretap");
            category.setUseParentHandlers(false);
            category.addHandler(new Handler() {
                @Override
                public void publish(LogRecord r) {
                    logged.incrementAndGet();
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
            try (Transport transport = Transport.nio2(1)) {
                echo(transport, false, problems);
                echo(transport, true, problems);
                udpEcho(transport, problems);
            }
            if (logged.get() == 0) {
                problems.add("the wiretap logged nothing");
            }
            TcpServer.create().metrics(false);
            TcpClient.create().metrics(false);
            refusal = refusedMetrics(() -> TcpServer.create().metrics(true), "TcpServer", problems);
            refusedMetrics(() -> TcpClient.create().metrics(true), "TcpClient", problems);
        } catch (Throwable t) {                               // NoClassDefFoundError above all
            problems.add("threw " + t);
            t.printStackTrace();
        }
        if (problems.isEmpty()) {
            System.out.println("RESULT ok: plain and wiretapped echo; metrics(true) refused: " + refusal);
            System.exit(0);
        }
        System.out.println("RESULT failed: " + String.join("; ", problems));
        System.exit(1);
    }

    private static void echo(Transport transport, boolean wiretap, List<String> problems) {
        TcpServer server = TcpServer.create().host("127.0.0.1").port(0).transport(transport).metrics(false)
                .handle(conn -> conn.send(conn.inbound()));
        TcpClient client = TcpClient.create().host("127.0.0.1").transport(transport);
        if (wiretap) {
            server = server.wiretap("flowsock.child.wiretap", Level.INFO, WiretapFormat.HEX_DUMP);
            client = client.wiretap("flowsock.child.wiretap", Level.INFO, WiretapFormat.TEXT);
        }
        DisposableServer bound = server.bindNow(WAIT);
        try {
            Connection c = client.port(bound.port()).connectNow(WAIT);
            String sent = "hello without Micrometer" + (wiretap ? ", wiretapped" : "");
            byte[] back = c.send(Flux.just(ByteBuffer.wrap(sent.getBytes(StandardCharsets.UTF_8))))
                    .then(c.shutdownOutput())
                    .thenMany(c.inbound())
                    .collect(ByteArrayOutputStream::new, (out, b) -> {
                        byte[] chunk = new byte[b.remaining()];
                        b.get(chunk);
                        out.writeBytes(chunk);
                    })
                    .map(ByteArrayOutputStream::toByteArray)
                    .block(WAIT);
            c.dispose();
            String got = back == null ? "nothing" : new String(back, StandardCharsets.UTF_8);
            if (!got.equals(sent)) {
                problems.add("the " + (wiretap ? "wiretapped " : "") + "echo returned \"" + got + "\"");
            }
        } finally {
            bound.disposeNow(WAIT);
        }
    }

    /** A UDP echo without metrics: UdpServer's and UdpClient's classes must not need Micrometer either. */
    private static void udpEcho(Transport transport, List<String> problems) {
        UdpEndpoint server = UdpServer.create().host("127.0.0.1").port(0).transport(transport)
                .handle(udp -> udp.send(udp.inbound())).bindNow(WAIT);
        try {
            UdpConnection c = UdpClient.create().host("127.0.0.1").port(server.localAddress().getPort())
                    .transport(transport).connectNow(WAIT);
            ByteBuffer back = c.send(Flux.just(ByteBuffer.wrap("udp without Micrometer".getBytes(StandardCharsets.UTF_8))))
                    .then(c.inbound().next()).block(WAIT);
            c.disposeNow(WAIT);
            String got = back == null ? "nothing" : StandardCharsets.UTF_8.decode(back).toString();
            if (!got.equals("udp without Micrometer")) {
                problems.add("the UDP echo returned \"" + got + "\"");
            }
        } finally {
            server.disposeNow(WAIT);
        }
    }

    /** The message of the IllegalStateException {@code call} must throw, naming the artifact. */
    private static String refusedMetrics(Runnable call, String who, List<String> problems) {
        try {
            call.run();
            problems.add(who + ".metrics(true) was accepted");
        } catch (IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).contains("io.micrometer:micrometer-core")) {
                problems.add(who + ".metrics(true) does not name io.micrometer:micrometer-core: " + e.getMessage());
            }
            return e.getMessage();
        } catch (Throwable t) {
            problems.add(who + ".metrics(true) threw " + t + ", not an IllegalStateException");
        }
        return "";
    }

    private static boolean onClassPath(String name) {
        try {
            Class.forName(name, false, WithoutMicrometerProgram.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
