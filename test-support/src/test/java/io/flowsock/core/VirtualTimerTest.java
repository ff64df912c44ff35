package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtualTimerTest {
    @Test
    void runsDueTasksInDueOrderOnlyWhenAdvanced() {
        VirtualTimer timer = new VirtualTimer();
        List<String> ran = new ArrayList<>();
        timer.schedule(() -> ran.add("b"), 2, TimeUnit.SECONDS);
        timer.schedule(() -> ran.add("a"), 1, TimeUnit.SECONDS);
        Cancellable c = timer.schedule(() -> ran.add("never"), 1500, TimeUnit.MILLISECONDS);
        c.cancel();
        assertThat(ran).isEmpty();
        timer.advance(Duration.ofMillis(1999));
        assertThat(ran).containsExactly("a");
        assertThat(timer.nanoTime()).isEqualTo(Duration.ofMillis(1999).toNanos());
        timer.advance(Duration.ofMillis(1));
        assertThat(ran).containsExactly("a", "b");
        assertThat(timer.pending()).isZero();
    }

    @Test
    void refusesToGoBackInTime() {
        assertThatThrownBy(() -> new VirtualTimer().advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("by must not be negative, was PT-1S");
    }

    /** Test code, no longer core's API, so not in BadInputTest's list: its argument checks are here. */
    @Test
    void refusesNullArgumentsNamingThem() {
        VirtualTimer timer = new VirtualTimer();
        assertThatThrownBy(() -> timer.schedule(null, 1, TimeUnit.SECONDS))
                .isInstanceOf(NullPointerException.class).hasMessage("task");
        assertThatThrownBy(() -> timer.schedule(() -> { }, 1, null))
                .isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThatThrownBy(() -> timer.advance(null)).isInstanceOf(NullPointerException.class).hasMessage("by");
        assertThat(timer.pending()).isZero();
    }
}
