package io.flowsock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JVM-wide timer: tasks pushed from many threads, handed to executors, cancelled. */
class SystemTimerTest {
    private final Timer timer = Timer.system();

    @Test
    void tasksScheduledFromManyThreadsAllRunInDeadlineOrderOnTheirExecutor() throws Exception {
        ExecutorService port = Executors.newSingleThreadExecutor(r -> new Thread(r, "port"));
        try {
            List<Integer> ran = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(40);
            // each task's deadline lies between these two: the clock read just before and just after scheduling it
            long[] earliest = new long[40];
            long[] latest = new long[40];
            Thread[] schedulers = new Thread[4];
            for (int s = 0; s < schedulers.length; s++) {
                int base = s;
                schedulers[s] = new Thread(() -> {
                    for (int i = base; i < 40; i += 4) {
                        int id = i;
                        long delay = TimeUnit.MILLISECONDS.toNanos(500 + 10L * id);
                        earliest[id] = System.nanoTime() + delay;
                        timer.schedule(() -> {
                            ran.add(id);
                            threads.add(Thread.currentThread().getName());
                            done.countDown();
                        }, delay, TimeUnit.NANOSECONDS, port);
                        latest[id] = System.nanoTime() + delay;
                    }
                });
                schedulers[s].start();
            }
            for (Thread t : schedulers) {
                t.join();
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(threads).containsOnly("port");
            assertThat(ran).hasSize(40);
            // All pushed well before the first is due: handed over in deadline order. The scheduling
            // threads start at different moments, so ids say nothing about order, deadlines do:
            // no task may run after one whose deadline was certainly later than its own.
            for (int i = 0; i < ran.size(); i++) {
                for (int j = i + 1; j < ran.size(); j++) {
                    int before = ran.get(i);
                    int after = ran.get(j);
                    assertThat(latest[after] < earliest[before])
                            .as("task %d (deadline %d..%d) ran after task %d (deadline %d..%d)", after,
                                    earliest[after], latest[after], before, earliest[before], latest[before])
                            .isFalse();
                }
            }
        } finally {
            port.shutdownNow();
        }
    }

    @Test
    void aCancelledTaskNeverRunsAndTheNextOneStillDoes() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch later = new CountDownLatch(1);
        Cancellable c = timer.schedule(runs::incrementAndGet, 100, TimeUnit.MILLISECONDS, Runnable::run);
        timer.schedule(later::countDown, 200, TimeUnit.MILLISECONDS, Runnable::run);
        c.cancel();
        c.cancel();
        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runs).hasValue(0);
    }

    @Test
    void anExecutorThatRefusesDropsTheTaskAndTheTimerGoesOn() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        timer.schedule(() -> { }, 10, TimeUnit.MILLISECONDS, task -> {
            throw new RejectedExecutionException("port gone");
        });
        timer.schedule(after::countDown, 50, TimeUnit.MILLISECONDS);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anEarlierTaskWakesTheTimerFromALaterDeadline() throws Exception {
        CountDownLatch early = new CountDownLatch(1);
        Cancellable far = timer.schedule(() -> { }, 1, TimeUnit.HOURS);
        timer.schedule(early::countDown, 20, TimeUnit.MILLISECONDS, Runnable::run);
        assertThat(early.await(10, TimeUnit.SECONDS)).isTrue();
        far.cancel();
    }
}
