package io.flowsock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BurstDetectorTest {
    private static final int SMALL = 1024;
    private static final int LARGE = 65536;

    @Test
    void startsOnTheSmallRungAndClimbsWhileReadsComeBackFull() {
        BurstDetector abd = new BurstDetector(16);
        assertThat(abd.small()).isTrue();
        abd.record(1, SMALL, SMALL, SMALL);                 // the small buffer came back full
        assertThat(abd.small()).isFalse();
        assertThat(abd.next(100, 1024)).isEqualTo(1);
        abd.record(1, LARGE, LARGE, SMALL);
        assertThat(abd.next(100, 1024)).isEqualTo(2);
        abd.record(2, LARGE, 2L * LARGE, SMALL);
        assertThat(abd.next(100, 1024)).isEqualTo(4);
        abd.record(4, LARGE, 4L * LARGE, SMALL);
        abd.record(8, LARGE, 8L * LARGE, SMALL);
        abd.record(16, LARGE, 16L * LARGE, SMALL);
        assertThat(abd.next(100, 1024)).as("never past the cap").isEqualTo(16);
    }

    @Test
    void halvesAfterAReadThatFillsLessThanHalfAndReturnsToTheSmallRung() {
        BurstDetector abd = climbedTo(8);
        abd.record(8, LARGE, 3L * LARGE, SMALL);            // 3 of 8: less than half
        assertThat(abd.count()).isEqualTo(4);
        abd.record(4, LARGE, 3L * LARGE, SMALL);            // 3 of 4: between half and full, no change
        assertThat(abd.count()).isEqualTo(4);
        abd.record(4, LARGE, 10, SMALL);
        abd.record(2, LARGE, 10, SMALL);
        assertThat(abd.count()).isEqualTo(1);
        assertThat(abd.small()).isFalse();
        abd.record(1, LARGE, 10, SMALL);                    // trickling: back to the small buffer
        assertThat(abd.small()).isTrue();
        assertThat(abd.next(100, 1024)).as("the small rung posts one buffer").isEqualTo(1);
        assertThat(abd.next(0, 1024)).as("no demand, no read").isZero();
    }

    @Test
    void theDemandAndTheScatterWidthBoundTheChoice() {
        BurstDetector abd = climbedTo(16);
        assertThat(abd.next(3, 1024)).isEqualTo(3);
        assertThat(abd.next(0, 1024)).isZero();
        assertThat(abd.next(100, 5)).isEqualTo(5);
    }

    @Test
    void aLiveCapChangeAppliesToTheNextRead() {
        BurstDetector abd = climbedTo(16);
        abd.cap(4);
        assertThat(abd.next(100, 1024)).isEqualTo(4);
        abd.cap(1);
        assertThat(abd.next(100, 1024)).isEqualTo(1);
        abd.record(1, LARGE, LARGE, SMALL);
        assertThat(abd.next(100, 1024)).as("cap 1 turns ABD off").isEqualTo(1);
    }

    @Test
    void fullSmallBuffersAnsweringALargeReadTeachNothing() {
        BurstDetector abd = new BurstDetector(16);
        abd.record(1, SMALL, SMALL, SMALL);                 // off the small rung
        abd.record(1, SMALL, SMALL, SMALL);                 // io_uring's parked multishot buffer, full
        assertThat(abd.next(100, 1024)).as("not doubled").isEqualTo(1);
        abd.record(4, SMALL, 4L * SMALL, SMALL);
        assertThat(abd.next(100, 1024)).isEqualTo(1);
        assertThat(abd.small()).isFalse();
        abd.record(1, LARGE, LARGE, SMALL);
        assertThat(abd.next(100, 1024)).as("a full large read still doubles").isEqualTo(2);
    }

    @Test
    void peekFromAnotherThreadSeesWhatThePortLastChose() throws Exception {
        BurstDetector abd = climbedTo(8);
        assertThat(java.util.concurrent.CompletableFuture.supplyAsync(() -> abd.peek(100, 1024))
                .get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(8);
        assertThat(abd.peek(3, 1024)).isEqualTo(3);
        assertThat(abd.peek(0, 1024)).isZero();
        assertThat(new BurstDetector(8).peek(100, 1024)).as("the small rung").isEqualTo(1);
    }

    private static BurstDetector climbedTo(int cap) {
        BurstDetector abd = new BurstDetector(cap);
        abd.record(1, SMALL, SMALL, SMALL);
        for (int n = 1; n < cap; n *= 2) {
            abd.record(n, LARGE, (long) n * LARGE, SMALL);
        }
        assertThat(abd.count()).isEqualTo(cap);
        return abd;
    }
}
