package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The engine's outbound side against a scripted socket: sendcap, ordering, short writes, FIN. */
class ChannelOutboundTest extends EngineFixture {

    @Test
    void aSendIsAskedForNoMoreThanSendCapAheadOfTheWrites() {
        Channel c = connected(OPTIONS.withSendCap(2));
        io.inlineWrites = false;
        RecordingSource s = send(c);
        assertThat(s.requested).isEqualTo(2);
        s.offer("a");
        s.offer("b");
        assertThat(io.lastGathered).as("one write in flight, the second buffer waits").isEqualTo(1);
        assertThat(c.sendCap()).isEqualTo(new Tunable(2, 2));
        io.completeWrite();
        assertThat(io.lastGathered).as("what queued meanwhile goes in one gathering write").isEqualTo(1);
        assertThat(s.requested).as("one retired, one more asked for").isEqualTo(3);
        io.completeWrite();
        assertThat(s.requested).isEqualTo(4);
        assertThat(io.writtenText()).isEqualTo("ab");
    }

    @Test
    void aLiveSendCapChangeAsksForTheDifferenceAtOnce() {
        Channel c = connected(OPTIONS.withSendCap(1));
        io.inlineWrites = false;
        RecordingSource s = send(c);
        assertThat(s.requested).isEqualTo(1);
        c.sendCap(4);
        assertThat(s.requested).isEqualTo(4);
        c.sendCap(1);
        s.offer("1");
        s.offer("2");
        io.completeWrite();
        io.completeWrite();
        assertThat(s.requested).as("lower: no request until in-flight drops below the cap").isEqualTo(4);
    }

    @Test
    void offeringMoreThanWasAskedForClosesTheConnection() {
        Channel c = connected(OPTIONS.withSendCap(1));
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("asked");
        s.offer("not asked");
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isTrue();
        assertThat(s.failures).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shortWritesArePostedAgainFromWhereTheyStopped() {
        Channel c = connected();
        io.writeLimit = 3;
        RecordingSource s = send(c);
        s.offer("hello ");
        s.offer("world");
        s.send.complete();
        assertThat(io.writtenText()).isEqualTo("hello world");
        assertThat(io.writesPosted).isGreaterThanOrEqualTo(4);
        assertThat(s.sent).isEqualTo(1);
    }

    @Test
    void sendsAreWrittenOneAfterAnotherAndEachEndsAfterItsOwnBytes() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource first = send(c);
        RecordingSource second = send(c);
        assertThat(second.requested).as("waits its turn").isZero();
        first.offer("one ");
        first.send.complete();
        assertThat(second.requested).as("active as soon as the first ended").isPositive();
        second.offer("two");
        second.send.complete();
        assertThat(first.sent).as("not before its bytes are written").isZero();
        io.completeWrite();
        assertThat(first.sent).isEqualTo(1);
        assertThat(second.sent).isZero();
        io.completeWrite();
        assertThat(second.sent).isEqualTo(1);
        assertThat(io.writtenText()).isEqualTo("one two");
    }

    @Test
    void aSendEndedBeforeItsTurnEndsInOrderAndDoesNotBlockTheNext() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource first = send(c);
        RecordingSource empty = send(c);
        RecordingSource third = send(c);
        empty.send.complete();
        first.offer("1");
        first.send.complete();
        third.offer("3");
        third.send.complete();
        io.completeWrite();
        io.completeWrite();
        assertThat(io.writtenText()).isEqualTo("13");
        assertThat(first.sent + empty.sent + third.sent).isEqualTo(3);
    }

    @Test
    void shutdownOutputSendsFinAfterThePendingSendsAndRefusesLaterOnes() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("last");
        s.send.complete();
        CompletableFuture<Void> fin = c.shutdownOutput();
        assertThat(io.outputShut).isFalse();
        io.completeWrite();
        assertThat(io.outputShut).isTrue();
        assertThat(fin).isCompleted();
        RecordingSource late = send(c);
        assertThat(late.failures).singleElement().isInstanceOf(ConnectionClosedException.class)
                .extracting(Throwable::getMessage).asString().contains("output was shut down");
        assertThat(c.isOpen()).as("input keeps working").isTrue();
        c.request(2);
        io.completeRead("still reading".getBytes());
        assertThat(handler.text()).isEqualTo("still reading");
        io.endOfStream();
        assertThat(c.isOpen()).as("FIN both ways").isFalse();
        assertThat(io.reset).isFalse();
    }

    @Test
    void aFailedShutdownClosesTheConnection() {
        Channel c = connected();
        io.shutdownFailure = new IOException("gone");
        CompletableFuture<Void> fin = c.shutdownOutput();
        assertThat(fin).isCompletedExceptionally();
        assertThat(c.isOpen()).isFalse();
        assertThat(handler.errors).singleElement().isInstanceOf(ConnectionResetException.class);
    }

    @Test
    void aFailingSourceClosesAbortivelyWithItsError() {
        Channel c = connected();
        RecordingSource s = send(c);
        RuntimeException boom = new IllegalStateException("producer failed");
        s.send.fail(boom);
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isTrue();
        assertThat(s.failures).containsExactly(boom);
        assertThat(handler.errors).containsExactly(boom);
    }

    @Test
    void aWriteFailureFailsTheSendAndTheInputWithTheResetException() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("x");
        io.failWrite(new IOException("Broken pipe"));
        assertThat(s.failures).singleElement().isInstanceOf(ConnectionResetException.class);
        assertThat(handler.errors).containsExactly(s.failures.get(0));
        assertThat(s.cancels).as("the producer is told to stop").isEqualTo(1);
    }

    @Test
    void whatIsQueuedWhileDeliveringGoesOutInOneGatheringWriteAfter() {
        Channel c = connected();
        RecordingSource echo = send(c);
        handler.afterData = () -> echo.offer("echo");
        c.request(4);
        io.completeRead(bytes(ScriptedSocket.SMALL));
        io.completeRead(bytes(ScriptedSocket.LARGE));
        assertThat(io.readCount()).isEqualTo(2);
        io.completeRead(bytes(ScriptedSocket.LARGE + 1));
        assertThat(io.writesPosted).as("one write per delivered batch").isEqualTo(3);
        assertThat(io.lastGathered).isEqualTo(2);
        assertThat(io.writtenText()).isEqualTo("echo".repeat(4));
    }
}
