package io.flowsock.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Timer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A task handed to a port is run, or refused loudly; never dropped. */
@ExtendWith(UringAvailable.class)
class UringPortTest {
    private static final int TASKS = 50_000;

    /**
     * The port is told to stop and, in the same turn, accepts far more tasks than one turn runs:
     * every one of them is run by the port's final drain.
     */
    @Test
    void tasksAcceptedWhileThePortStopsAreAllRun() throws Exception {
        try (UringTransport t = new UringTransport(1, null, Timer.system())) {
            UringPort port = t.ports().get(0);
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger accepted = new AtomicInteger();
            port.execute(() -> {
                port.stop();
                for (int i = 0; i < TASKS; i++) {
                    try {
                        port.execute(ran::incrementAndGet);
                        accepted.incrementAndGet();
                    } catch (RejectedExecutionException refused) {
                        // refused loudly: allowed, and not counted as accepted
                    }
                }
            });
            port.terminated().get(10, TimeUnit.SECONDS);
            assertThat(accepted.get()).as("accepted while stopping").isEqualTo(TASKS);
            assertThat(ran.get()).as("accepted tasks that ran").isEqualTo(accepted.get());
        }
    }

    @Test
    void aTaskHandedToAPortThatHasEndedIsRefused() throws Exception {
        try (UringTransport t = new UringTransport(1, null, Timer.system())) {
            UringPort port = t.ports().get(0);
            port.stop();
            port.terminated().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> port.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("closed");
        }
    }

    /** Tasks from other threads race the port's end: each is run or refused, none is lost. */
    @Test
    void tasksRacingThePortsEndAreEachRunOrRefused() throws Exception {
        for (int round = 0; round < 20; round++) {
            try (UringTransport t = new UringTransport(1, null, Timer.system())) {
                UringPort port = t.ports().get(0);
                AtomicInteger ran = new AtomicInteger();
                AtomicInteger accepted = new AtomicInteger();
                Thread feeder = new Thread(() -> {
                    for (int i = 0; i < TASKS; i++) {
                        try {
                            port.execute(ran::incrementAndGet);
                            accepted.incrementAndGet();
                        } catch (RejectedExecutionException refused) {
                            return;
                        }
                    }
                }, "uring-port-test-feeder");
                feeder.start();
                port.stop();
                feeder.join(10_000);
                port.terminated().get(10, TimeUnit.SECONDS);
                assertThat(ran.get()).as("accepted tasks that ran, round " + round).isEqualTo(accepted.get());
            }
        }
    }
}
