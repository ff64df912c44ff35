package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;
import javax.net.ssl.SSLSession;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The wiretap: every event of a connection as one log line through Reactor's {@link Loggers}
 * (SLF4J when it is on the class path, else JDK logging), each carrying the connection's id and
 * both addresses, e.g. {@code [3f2a91c0, L:/127.0.0.1:8080 - R:/127.0.0.1:51234] READ 5 B in 1 buffer}.
 * The level is checked at each event, so turning the logger up or down works live; with the
 * wiretap off there is no observer at all.
 */
final class Wiretap implements ChannelObserver {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Logger log;
    private final Level level;
    private final WiretapFormat format;

    Wiretap(String category, Level level, WiretapFormat format) {
        Objects.requireNonNull(category, "category");
        if (category.isBlank()) {
            throw new IllegalArgumentException("wiretap category must not be blank");
        }
        this.level = Objects.requireNonNull(level, "level");
        this.format = Objects.requireNonNull(format, "format");
        this.log = Loggers.getLogger(category);
    }

    // ------------------------------------------------------------------ events

    @Override
    public void opened(Channel channel, boolean accepted) {
        if (enabled()) {
            emit(channel, accepted ? "ACCEPTED" : "CONNECTED");
        }
    }

    @Override
    public void readPosted(Channel channel, int buffers) {
        if (enabled()) {
            emit(channel, "READ posted for " + buffers(buffers) + " (recvburst cap " + channel.recvBurst().cap() + ")");
        }
    }

    @Override
    public void readCompleted(Channel channel, long bytes, ByteBuffer[] buffers, int count) {
        if (enabled()) {
            emit(channel, "READ " + bytes + " B in " + buffers(count) + content(buffers, 0, count));
        }
    }

    @Override
    public void inputEnded(Channel channel) {
        if (enabled()) {
            emit(channel, "READ end of stream (the peer's FIN)");
        }
    }

    @Override
    public void writePosted(Channel channel, ByteBuffer[] buffers, int offset, int length) {
        if (enabled()) {
            long bytes = 0;
            for (int i = offset; i < offset + length; i++) {
                bytes += buffers[i].remaining();
            }
            emit(channel, "WRITE posted " + bytes + " B in " + buffers(length) + content(buffers, offset, length));
        }
    }

    @Override
    public void writeCompleted(Channel channel, long bytes) {
        if (enabled()) {
            emit(channel, "WRITE completed " + bytes + " B");
        }
    }

    @Override
    public void tunableChanged(Channel channel, String tunable, int cap) {
        if (enabled()) {
            emit(channel, tunable.toUpperCase(java.util.Locale.ROOT) + " cap " + cap);
        }
    }

    @Override
    public void outputShut(Channel channel) {
        if (enabled()) {
            emit(channel, "SHUTDOWN OUTPUT (FIN sent)");
        }
    }

    @Override
    public void watchdogFired(Channel channel, String timeout, Duration limit) {
        if (enabled()) {
            emit(channel, "WATCHDOG " + timeout + " " + limit.toMillis() + " ms: closing");
        }
    }

    @Override
    public void handshakeStep(Channel channel, String step) {
        if (enabled()) {
            emit(channel, "TLS handshake " + step);
        }
    }

    @Override
    public void handshakeDone(Channel channel, long nanos, Throwable failure) {
        if (!enabled()) {
            return;
        }
        String took = String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
        if (failure != null) {
            emit(channel, "TLS handshake FAILED after " + took + ": " + failure);
            return;
        }
        String what = channel.tlsSession().map(Wiretap::describe).orElse("");
        emit(channel, "TLS handshake done in " + took + what
                + channel.applicationProtocol().map(p -> ", ALPN " + p).orElse(""));
    }

    @Override
    public void closed(Channel channel, Throwable cause, boolean reset) {
        if (enabled()) {
            emit(channel, "CLOSED" + (reset ? " with RST" : "") + (cause == null ? "" : ": " + cause));
        }
    }

    @Override
    public void acceptFailed(InetSocketAddress address, Throwable error) {
        if (enabled()) {
            log(prefix(address) + "] ACCEPT FAILED: " + error);
        }
    }

    // ------------------------------------------------------------------ formatting

    private static String describe(SSLSession s) {
        return ": " + s.getProtocol() + " " + s.getCipherSuite();
    }

    private static String buffers(int n) {
        return n == 1 ? "1 buffer" : n + " buffers";
    }

    /** The bytes between position and limit of {@code length} buffers from {@code offset}, as the format says. */
    private String content(ByteBuffer[] buffers, int offset, int length) {
        if (format == WiretapFormat.EVENTS) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        if (format == WiretapFormat.TEXT) {
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = buffers[i].duplicate();
                sb.append(System.lineSeparator()).append(StandardCharsets.UTF_8.decode(b));
            }
            return sb.toString();
        }
        long at = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = buffers[i];
            for (int row = b.position(); row < b.limit(); row += 16) {
                int end = Math.min(row + 16, b.limit());
                sb.append(System.lineSeparator()).append(String.format(java.util.Locale.ROOT, "%08x  ", at));
                for (int j = row; j < row + 16; j++) {
                    if (j < end) {
                        int v = b.get(j) & 0xff;
                        sb.append(HEX[v >>> 4]).append(HEX[v & 0xf]).append(' ');
                    } else {
                        sb.append("   ");
                    }
                    if (j == row + 7) {
                        sb.append(' ');
                    }
                }
                sb.append(" |");
                for (int j = row; j < end; j++) {
                    int v = b.get(j) & 0xff;
                    sb.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
                }
                sb.append('|');
                at += end - row;         // offsets run on across the buffers of one read or write
            }
        }
        return sb.toString();
    }

    private static String prefix(InetSocketAddress local) {
        return "[L:" + local;
    }

    private void emit(Channel channel, String event) {
        log("[" + id(channel) + ", L:" + channel.localAddress() + " - R:" + channel.remoteAddress() + "] " + event);
    }

    /** A connection's id in the log: stable for its life, eight hex digits. */
    static String id(Channel channel) {
        String h = Integer.toHexString(System.identityHashCode(channel));
        return "00000000".substring(h.length()) + h;
    }

    private boolean enabled() {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return log.isErrorEnabled();
        } else if (v >= Level.WARNING.intValue()) {
            return log.isWarnEnabled();
        } else if (v >= Level.INFO.intValue()) {
            return log.isInfoEnabled();
        } else if (v >= Level.FINE.intValue()) {
            return log.isDebugEnabled();
        }
        return log.isTraceEnabled();
    }

    private void log(String line) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            log.error(line);
        } else if (v >= Level.WARNING.intValue()) {
            log.warn(line);
        } else if (v >= Level.INFO.intValue()) {
            log.info(line);
        } else if (v >= Level.FINE.intValue()) {
            log.debug(line);
        } else {
            log.trace(line);
        }
    }

    @Override
    public String toString() {
        return "Wiretap[" + log.getName() + ", " + level + ", " + format + "]";
    }
}
