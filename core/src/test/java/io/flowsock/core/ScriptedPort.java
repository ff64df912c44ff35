package io.flowsock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A completion port driven by the test, as Netty's EmbeddedChannel drives its event loop: the
 * thread that created it is the port thread, tasks handed over with {@link #execute} wait until
 * {@link #runTasks()}, and the timers move only with {@link #advance(Duration)}.
 *
 * <p><b>Threading.</b> {@code execute} is safe from any thread (a test may play "another thread");
 * everything else runs on the creating thread.
 */
final class ScriptedPort implements CompletionPort, Timer {
    private final Thread owner = Thread.currentThread();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Scheduled> scheduled = new ArrayList<>();
    private long now;

    @Override
    public void execute(Runnable task) {
        tasks.add(Objects.requireNonNull(task, "task"));
    }

    @Override
    public boolean inPort() {
        return Thread.currentThread() == owner;
    }

    /** Runs every task handed over so far, and those they hand over in turn; returns how many ran. */
    int runTasks() {
        int ran = 0;
        Runnable t;
        while ((t = tasks.poll()) != null && ran < 100_000) {
            t.run();
            ran++;
        }
        return ran;
    }

    /** Tasks handed over and not yet run. */
    int queuedTasks() {
        return tasks.size();
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Scheduled s = new Scheduled(now + unit.toNanos(delay), task);
        scheduled.add(s);
        return () -> scheduled.remove(s);
    }

    /** Moves the clock and runs the timers that fell due, in due order, then the tasks queued. */
    void advance(Duration by) {
        long target = now + by.toNanos();
        while (true) {
            Scheduled next = null;
            for (Scheduled s : scheduled) {
                if (s.at <= target && (next == null || s.at < next.at)) {
                    next = s;
                }
            }
            if (next == null) {
                break;
            }
            scheduled.remove(next);
            now = Math.max(now, next.at);
            next.task.run();
        }
        now = target;
        runTasks();
    }

    /** Timers armed and neither run nor cancelled. */
    int timers() {
        return scheduled.size();
    }

    @Override
    public Timer timer() {
        return this;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Kept without {@code @Override}: the port's index may leave the interface. */
    public int index() {
        return 0;
    }

    /** Identity, not value, equality: two timers due at once with the same task are two timers. */
    private static final class Scheduled {
        final long at;
        final Runnable task;

        Scheduled(long at, Runnable task) {
            this.at = at;
            this.task = task;
        }
    }
}
