package io.flowsock.core;

import io.flowsock.core.spi.ChannelFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One channel over a {@link ScriptedSocket} on a {@link ScriptedPort}: the engine with the
 * kernel taken out, so every interleaving of completions a backend can produce is scripted.
 * The test's thread is the port thread.
 */
abstract class EngineFixture {
    static final Capabilities CAPS = new Capabilities(16, 16);
    static final ChannelOptions OPTIONS = ChannelOptions.DEFAULTS.withFirstByteTimeout(Duration.ZERO);

    final ScriptedPort port = new ScriptedPort();
    final ScriptedSocket io = new ScriptedSocket();
    final RecordingHandler handler = new RecordingHandler();
    int watchdogCloses;

    /** A client's channel (no first-byte watchdog), started with {@link #handler}. */
    Channel connected(ChannelOptions options) {
        Channel c = ChannelFactory.connected(port, io, CAPS, options);
        c.start(handler);
        return c;
    }

    Channel connected() {
        return connected(OPTIONS);
    }

    /** A server's channel, whose watchdog closes are counted in {@link #watchdogCloses}. */
    Channel accepted(ChannelOptions options) {
        Channel c = ChannelFactory.accepted(port, io, CAPS, options, () -> watchdogCloses++);
        c.start(handler);
        return c;
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Starts a send fed by the returned source. */
    static RecordingSource send(Channel c) {
        RecordingSource s = new RecordingSource();
        c.send(s);
        return s;
    }
}
