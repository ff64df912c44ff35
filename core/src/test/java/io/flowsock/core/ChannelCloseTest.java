package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The engine's close, dispose and abort paths and its watchdogs, against a scripted socket. */
class ChannelCloseTest extends EngineFixture {

    @Test
    void aGracefulCloseWritesPendingDataSendsFinAndWaitsForThePeersFin() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("bye");
        s.send.complete();
        CompletableFuture<Void> closed = c.close();
        RecordingSource late = send(c);
        assertThat(late.failures).singleElement().extracting(Throwable::getMessage).asString()
                .contains("closing");
        assertThat(io.outputShut).isFalse();
        io.completeWrite();
        assertThat(io.outputShut).isTrue();
        assertThat(closed).isNotDone();
        c.request(2);
        io.completeRead("peer's last".getBytes());
        io.endOfStream();
        assertThat(handler.text()).as("a handler still reading gets the data").isEqualTo("peer's last");
        assertThat(closed).isCompleted();
        assertThat(io.reset).isFalse();
        port.advance(Duration.ofMinutes(5));            // far past the close deadline, which was disarmed
        assertThat(io.reset).as("no close deadline fired after the close").isFalse();
        assertThat(port.timers()).as("no timer left, not even an idle sweep").isZero();
    }

    @Test
    void aGracefulCloseGivesUpAfterTheCloseTimeoutWithAReset() {
        Channel c = connected(OPTIONS.withCloseTimeout(Duration.ofSeconds(3)));
        c.close();
        assertThat(io.outputShut).isTrue();
        port.advance(Duration.ofSeconds(2));
        assertThat(c.isOpen()).isTrue();
        port.advance(Duration.ofSeconds(1));
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isTrue();
        assertThat(handler.ends).isEqualTo(1);
    }

    @Test
    void pendingSendsAndOnCloseAreAnsweredOnlyOnceTheSocketIsReleased() {
        io.deferRelease = true;
        Channel c = connected();
        io.inlineWrites = false;
        c.request(1);
        RecordingSource s = send(c);
        s.offer("in the kernel");
        assertThat(io.writesPosted).isEqualTo(1);
        c.dispose();
        assertThat(io.closed).isTrue();
        assertThat(s.failures).as("the write may still read its buffer").isEmpty();
        assertThat(handler.ends).isZero();
        assertThat(c.onClose()).isNotDone();
        RecordingSource late = send(c);
        assertThat(late.failures).as("nothing new starts meanwhile").hasSize(1);
        io.release();
        assertThat(s.failures).singleElement().isInstanceOf(ConnectionClosedException.class);
        assertThat(handler.ends).isEqualTo(1);
        assertThat(c.onClose()).isCompleted();
    }

    @Test
    void aCloseAfterThePeersFinWithNothingPendingClosesAtOnce() {
        Channel c = connected();
        c.request(1);
        io.endOfStream();
        c.close();
        assertThat(c.isOpen()).isFalse();
        assertThat(port.timers()).isZero();
        assertThat(io.reset).isFalse();
    }

    @Test
    void disposeFailsPendingSendsWithTheClosedExceptionAndEndsTheInput() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource active = send(c);
        active.offer("unwritten");
        RecordingSource waiting = send(c);
        CompletableFuture<Void> fin = c.shutdownOutput();
        c.dispose();
        assertThat(active.failures).singleElement().isInstanceOf(ConnectionClosedException.class);
        assertThat(waiting.failures).singleElement().isInstanceOf(ConnectionClosedException.class);
        assertThat(fin).isCompletedExceptionally();
        assertThat(handler.ends).isEqualTo(1);
        assertThat(handler.closes).isEqualTo(1);
        assertThat(c.onClose()).isCompleted();
        assertThat(io.reset).isFalse();
        c.dispose();
        assertThat(handler.closes).as("once").isEqualTo(1);
    }

    @Test
    void abortResetsAndFailsInputAndSendsWithTheCause() {
        Channel c = connected();
        RecordingSource s = send(c);
        RuntimeException cause = new IllegalStateException("handler failed");
        c.abort(cause);
        assertThat(io.reset).isTrue();
        assertThat(handler.errors).containsExactly(cause);
        assertThat(s.failures).containsExactly(cause);
    }

    @Test
    void completionsAfterTheCloseAreIgnored() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("x");
        c.request(1);
        c.dispose();
        io.completeWrite();
        io.completeRead("late".getBytes());
        assertThat(handler.text()).isEmpty();
        assertThat(s.sent).isZero();
        assertThat(handler.closes).isEqualTo(1);
    }

    @Test
    void theFirstByteWatchdogClosesASilentPeerOnlyWhileAReadIsPosted() {
        Channel c = accepted(OPTIONS.withFirstByteTimeout(Duration.ofSeconds(5)));
        port.advance(Duration.ofSeconds(5));
        assertThat(c.isOpen()).as("nobody asked to read yet: the bytes may be in the kernel").isTrue();
        c.request(1);
        port.advance(Duration.ofSeconds(5));
        assertThat(c.isOpen()).isFalse();
        assertThat(watchdogCloses).isEqualTo(1);
        assertThat(handler.errors).singleElement().isInstanceOf(IdleTimeoutException.class);
    }

    @Test
    void theFirstByteWatchdogStandsDownAtTheFirstByte() {
        Channel c = accepted(OPTIONS.withFirstByteTimeout(Duration.ofSeconds(5)));
        c.request(2);
        io.completeRead("x".getBytes());
        port.advance(Duration.ofSeconds(10));
        assertThat(c.isOpen()).isTrue();
        assertThat(watchdogCloses).isZero();
    }

    @Test
    void theReadIdleWatchdogCountsOnlyTimeWithAReadPosted() {
        Channel c = accepted(OPTIONS.withReadIdleTimeout(Duration.ofSeconds(4)));
        port.advance(Duration.ofSeconds(10));
        assertThat(c.isOpen()).as("a paused subscriber is not an idle peer").isTrue();
        c.request(1);
        port.advance(Duration.ofSeconds(3));
        assertThat(c.isOpen()).isTrue();
        port.advance(Duration.ofSeconds(1));
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isFalse();
        assertThat(watchdogCloses).isEqualTo(1);
    }

    @Test
    void theWriteIdleWatchdogResetsAWriteThatMakesNoProgress() {
        Channel c = connected(OPTIONS.withWriteIdleTimeout(Duration.ofSeconds(4)));
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("stuck");
        port.advance(Duration.ofSeconds(4));
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isTrue();
        assertThat(s.failures).singleElement().isInstanceOf(IdleTimeoutException.class);
    }
}
