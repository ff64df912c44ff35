package io.flowsock.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A channel's timers: the first-byte watchdog of an accepted connection (slowloris defence), the
 * read-idle and write-idle watchdogs, and a graceful close's deadline. A watchdog that fires
 * closes the connection with an {@link IdleTimeoutException} and tells the server, which counts it.
 *
 * <p>The first-byte watchdog and the close deadline, which nearly every connection arms and
 * disarms, are entries of the port's {@link FixedTimeouts} lists, not tasks of the shared timer.
 * The first-byte entry is this object itself: an idle accepted connection, which keeps it armed,
 * pays for no second object.
 *
 * <p>Runs only on its channel's port thread.
 */
final class Watchdogs extends FixedTimeouts.Entry {
    private static final Cancellable NONE = () -> { };

    private final Channel channel;
    private final ChannelOptions options;
    private final Runnable onWatchdog;
    private FixedTimeouts.Entry close;       // created at the graceful close
    private Cancellable readIdleTimer = NONE;
    private Cancellable writeIdleTimer = NONE;
    private long readStamp;              // last read posted or completed, while the read-idle watchdog runs
    private long writeStamp;             // last write posted or completed, while the write-idle watchdog runs

    Watchdogs(Channel channel, Runnable onWatchdog) {
        this.channel = channel;
        this.options = channel.options;
        this.onWatchdog = onWatchdog;
    }

    /** The first-byte watchdog guards accepted connections only; the write-idle one every connection. */
    void armAtOpen(boolean accepted) {
        if (accepted && !options.firstByteTimeout().isZero()) {
            armFirstByte();
        }
        if (!options.writeIdleTimeout().isZero()) {
            writeIdleTimer = schedule(this::writeIdleCheck, options.writeIdleTimeout());
        }
    }

    /** Read idleness counts from the handler's start. */
    void armReadIdle() {
        if (!options.readIdleTimeout().isZero()) {
            readIdleTimer = schedule(this::readIdleCheck, options.readIdleTimeout());
        }
    }

    /** A graceful close gives up, abortively, after the close timeout. */
    void armClose() {
        if (close != null) {
            return;            // the first deadline stands
        }
        close = FixedTimeouts.Entry.of(() -> channel.terminate(null, true));
        FixedTimeouts.of(channel.port, options.closeTimeout().toNanos()).arm(close);
    }

    private void armFirstByte() {
        FixedTimeouts.of(channel.port, options.firstByteTimeout().toNanos()).arm(this);
    }

    void readActivity() {
        if (!options.readIdleTimeout().isZero()) {
            readStamp = channel.timer.nanoTime();
        }
    }

    void writeActivity() {
        if (!options.writeIdleTimeout().isZero()) {
            writeStamp = channel.timer.nanoTime();
        }
    }

    void firstByteArrived() {
        disarm();
    }

    void inputEnded() {
        readIdleTimer.cancel();
    }

    void cancelAll() {
        firstByteArrived();
        if (close != null) {
            close.disarm();
        }
        readIdleTimer.cancel();
        writeIdleTimer.cancel();
    }

    /** The first-byte watchdog fired. */
    @Override
    void fire() {
        firstByteCheck();
    }

    /**
     * Closes a peer that has sent nothing while we waited to read. If the application has not asked
     * to read yet, the peer may well have sent bytes still in the kernel: look again later.
     */
    private void firstByteCheck() {
        if (channel.isClosed() || channel.in.bytesReceived() > 0) {
            return;
        }
        if (!channel.in.isReadPending()) {
            armFirstByte();
            return;
        }
        closeIdle("firstByteTimeout", options.firstByteTimeout(), false);
    }

    /** Idle time counts only while a read is posted: a paused subscriber is not an idle peer. */
    private void readIdleCheck() {
        if (channel.isClosed() || channel.in.hasEnded()) {
            return;
        }
        Duration limit = options.readIdleTimeout();
        long idle = channel.in.isReadPending() ? channel.timer.nanoTime() - readStamp : 0;
        if (idle >= limit.toNanos()) {
            closeIdle("readIdleTimeout", limit, false);
        } else {
            readIdleTimer = schedule(this::readIdleCheck, limit.minusNanos(idle));
        }
    }

    /** A write that makes no progress this long means the peer stopped reading. */
    private void writeIdleCheck() {
        if (channel.isClosed()) {
            return;
        }
        Duration limit = options.writeIdleTimeout();
        long idle = channel.out.isWritePending() ? channel.timer.nanoTime() - writeStamp : 0;
        if (idle >= limit.toNanos()) {
            closeIdle("writeIdleTimeout", limit, true);
        } else {
            writeIdleTimer = schedule(this::writeIdleCheck, limit.minusNanos(idle));
        }
    }

    /** A watchdog's verdict: counted by the server (slowloris defence shows up there), then closed. */
    private void closeIdle(String option, Duration limit, boolean abortive) {
        fired(option, limit);
        channel.terminate(new IdleTimeoutException(channel.remoteAddress(), option, limit), abortive);
    }

    /**
     * The TLS handshake took longer than its timeout: a peer that never finishes its handshake is
     * counted as a silent one is; the TLS layer closes it after its alert.
     */
    void handshakeTimedOut(Duration limit) {
        fired("handshakeTimeout", limit);
    }

    private void fired(String option, Duration limit) {
        onWatchdog.run();
        if (channel.observer != null) {
            channel.observer.watchdogFired(channel, option, limit);
        }
    }

    private Cancellable schedule(Runnable task, Duration delay) {
        return channel.port.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
