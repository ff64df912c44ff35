package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FixedTimeoutsTest {
    private final ScriptedPort port = new ScriptedPort();
    private final List<String> ran = new ArrayList<>();
    private final FixedTimeouts list = FixedTimeouts.of(port, Duration.ofSeconds(10).toNanos());

    private FixedTimeouts.Entry entry(String name) {
        return FixedTimeouts.Entry.of(() -> ran.add(name));
    }

    @Test
    void entriesFallDueInArmingOrderWithOneTimerForTheList() {
        FixedTimeouts.Entry a = entry("a");
        FixedTimeouts.Entry b = entry("b");
        FixedTimeouts.Entry c = entry("c");
        list.arm(a);
        port.advance(Duration.ofSeconds(3));
        list.arm(b);
        list.arm(c);
        assertThat(port.timers()).isEqualTo(1);

        port.advance(Duration.ofSeconds(7));          // t=10: a due, b and c at 13
        assertThat(ran).containsExactly("a");
        assertThat(a.armed()).isFalse();
        assertThat(port.timers()).isEqualTo(1);       // the sweep waits for b

        port.advance(Duration.ofSeconds(3));
        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(port.timers()).isZero();
    }

    @Test
    void aDisarmedEntryNeverRunsAndTheListFollowsTheNextOne() {
        FixedTimeouts.Entry a = entry("a");
        FixedTimeouts.Entry b = entry("b");
        list.arm(a);
        port.advance(Duration.ofSeconds(5));
        list.arm(b);
        a.disarm();
        a.disarm();                                    // twice is harmless
        port.advance(Duration.ofSeconds(5));           // a's old deadline: nothing due
        assertThat(ran).isEmpty();
        port.advance(Duration.ofSeconds(5));
        assertThat(ran).containsExactly("b");
    }

    @Test
    void armingAgainMovesTheEntryToTheTailWithAFreshDeadline() {
        FixedTimeouts.Entry a = entry("a");
        FixedTimeouts.Entry b = entry("b");
        list.arm(a);
        list.arm(b);
        port.advance(Duration.ofSeconds(4));
        list.arm(a);                                   // now due at 14, after b at 10
        port.advance(Duration.ofSeconds(6));
        assertThat(ran).containsExactly("b");
        port.advance(Duration.ofSeconds(4));
        assertThat(ran).containsExactly("b", "a");
    }

    @Test
    void anActionThatArmsItselfAgainRunsOncePerPeriodAndAThrowingOneDoesNotStrandTheRest() {
        FixedTimeouts.Entry[] self = new FixedTimeouts.Entry[1];
        self[0] = FixedTimeouts.Entry.of(() -> {
            ran.add("again");
            list.arm(self[0]);
        });
        FixedTimeouts.Entry boom = FixedTimeouts.Entry.of(() -> {
            throw new IllegalStateException("boom");
        });
        list.arm(boom);
        list.arm(self[0]);
        port.advance(Duration.ofSeconds(10));
        assertThat(ran).containsExactly("again");
        port.advance(Duration.ofSeconds(10));
        assertThat(ran).containsExactly("again", "again");
        self[0].disarm();
        port.advance(Duration.ofSeconds(30));
        assertThat(ran).hasSize(2);
        assertThat(port.timers()).isZero();
    }

    @Test
    void eachDurationHasItsOwnListOnAThread() {
        FixedTimeouts other = FixedTimeouts.of(port, Duration.ofSeconds(1).toNanos());
        assertThat(other).isNotSameAs(list);
        assertThat(FixedTimeouts.of(port, Duration.ofSeconds(10).toNanos())).isSameAs(list);
        assertThat(FixedTimeouts.of(new ScriptedPort(), Duration.ofSeconds(10).toNanos())).isNotSameAs(list);
    }
}
