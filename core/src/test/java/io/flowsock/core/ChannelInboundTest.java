package io.flowsock.core;

import io.flowsock.core.spi.ChannelFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine's inbound side against a scripted socket: demand, ABD, cancel, the end of input. */
class ChannelInboundTest extends EngineFixture {

    @Test
    void readsArePostedOnlyAgainstDemand() {
        Channel c = connected();
        assertThat(io.readPending()).as("no demand, no read").isFalse();
        c.request(1);
        assertThat(io.readPendingSmall()).as("a new connection reads into one small buffer").isTrue();
        io.completeRead("hello".getBytes());
        assertThat(handler.text()).isEqualTo("hello");
        assertThat(io.readPending()).as("the demand was spent").isFalse();
        c.request(2);
        assertThat(io.readPending()).isTrue();
    }

    @Test
    void aRequestFromAnotherThreadPostsTheReadOnThePort() throws Exception {
        Channel c = connected();
        CompletableFuture.runAsync(() -> c.request(1)).get(5, TimeUnit.SECONDS);
        assertThat(io.readPending()).as("handed to the port, not run on the caller").isFalse();
        port.runTasks();
        assertThat(io.readPending()).isTrue();
    }

    @Test
    void burstDetectionClimbsOnFullReadsWithinTheDemand() {
        Channel c = connected();
        c.request(5);
        io.completeRead(bytes(ScriptedSocket.SMALL));               // the small buffer came back full
        assertThat(io.readPendingSmall()).as("outgrew the small rung").isFalse();
        assertThat(io.readCount()).isEqualTo(1);
        io.completeRead(bytes(ScriptedSocket.LARGE));
        assertThat(io.readCount()).isEqualTo(2);
        assertThat(c.recvBurst()).isEqualTo(new Tunable(16, 2));
        io.completeRead(bytes(2 * ScriptedSocket.LARGE));
        assertThat(io.readCount()).as("4 would be past the demand left (1)").isEqualTo(1);
        assertThat(handler.sizes).hasSize(4);
    }

    @Test
    void aShortReadHalvesTheBurstAndATrickleReturnsToTheSmallBuffer() {
        Channel c = connected();
        c.request(100);
        io.completeRead(bytes(ScriptedSocket.SMALL));
        io.completeRead(bytes(ScriptedSocket.LARGE));
        io.completeRead(bytes(2 * ScriptedSocket.LARGE));
        assertThat(io.readCount()).isEqualTo(4);
        io.completeRead(bytes(10));
        assertThat(io.readCount()).isEqualTo(2);
        io.completeRead(bytes(10));
        io.completeRead(bytes(10));
        assertThat(io.readPendingSmall()).isTrue();
    }

    /**
     * io_uring's multishot receive fills 1 KiB buffers from the small ring and may hand them to a
     * read the core posted as large; a full small buffer says nothing about large reads.
     */
    @Test
    void fullSmallBuffersAnsweringALargeReadDoNotDoubleTheBurst() {
        Channel c = connected();
        c.request(100);
        io.completeRead(bytes(ScriptedSocket.SMALL));
        assertThat(io.readPendingSmall()).isFalse();
        assertThat(io.readCount()).isEqualTo(1);
        io.completeRead(1, ScriptedSocket.SMALL, bytes(ScriptedSocket.SMALL));   // a parked small buffer
        assertThat(io.readCount()).as("not doubled by a full small buffer").isEqualTo(1);
        assertThat(c.recvBurst().inUse()).isEqualTo(1);
    }

    @Test
    void recvBurstIsAnsweredFromAnotherThreadWithWhatThePortPublished() throws Exception {
        Channel c = connected();
        assertThat(CompletableFuture.supplyAsync(c::recvBurst).get(5, TimeUnit.SECONDS))
                .as("no demand").isEqualTo(new Tunable(16, 0));
        c.request(100);
        io.completeRead(bytes(ScriptedSocket.SMALL));
        io.completeRead(bytes(ScriptedSocket.LARGE));
        assertThat(CompletableFuture.supplyAsync(c::recvBurst).get(5, TimeUnit.SECONDS))
                .as("the read posted").isEqualTo(new Tunable(16, 2));
        io.completeRead(bytes(2 * ScriptedSocket.LARGE));
        c.recvBurst(2);
        assertThat(CompletableFuture.supplyAsync(c::recvBurst).get(5, TimeUnit.SECONDS))
                .as("posted before the cap changed").isEqualTo(new Tunable(2, 4));
    }

    @Test
    void cancellingTheInputStopsReadingDropsThePendingReadAndKeepsSending() {
        Channel c = connected();
        c.request(1);
        c.abandonInput();
        io.completeRead("dropped".getBytes());
        c.request(5);
        assertThat(handler.text()).as("the pending read's data is dropped").isEmpty();
        assertThat(io.readPending()).as("no read after the cancel").isFalse();

        RecordingSource reply = send(c);
        assertThat(reply.requested).isPositive();
        reply.offer("still sending");
        reply.send.complete();
        assertThat(io.writtenText()).isEqualTo("still sending");
        assertThat(reply.sent).isEqualTo(1);
        assertThat(c.isOpen()).isTrue();
        assertThat(io.closed).isFalse();
        assertThat(handler.ends + handler.errors.size()).as("a cancelled input gets no signal").isZero();
    }

    @Test
    void aGracefulCloseAfterACancelDrainsTheInputThenCloses() {
        Channel c = connected();
        c.abandonInput();
        c.close();
        assertThat(io.outputShut).isTrue();
        assertThat(io.readPending()).as("draining what nobody reads").isTrue();
        io.completeRead("ignored".getBytes());
        io.endOfStream();
        assertThat(handler.text()).isEmpty();
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isFalse();
        assertThat(handler.closes).isEqualTo(1);
    }

    @Test
    void aCancelAfterTheInputEndedChangesNothing() {
        Channel c = connected();
        handler.afterEnd = c::abandonInput;          // Flux.zip and friends cancel a finished source
        c.request(1);
        io.completeRead("question".getBytes());
        c.request(1);
        io.endOfStream();
        assertThat(handler.ends).isEqualTo(1);
        c.abandonInput();

        RecordingSource reply = send(c);
        reply.offer("answer");
        reply.send.complete();
        c.close();
        assertThat(io.writtenText()).isEqualTo("answer");
        assertThat(reply.sent).isEqualTo(1);
        assertThat(io.outputShut).as("FIN after the answer").isTrue();
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).as("closed cleanly, no reset").isFalse();
    }

    @Test
    void aSecondStartFailsTheCallerAndLeavesTheFirstHandlerServing() throws Exception {
        Channel c = ChannelFactory.connected(port, io, CAPS, OPTIONS);
        RecordingHandler second = new RecordingHandler();
        CompletableFuture<Throwable> refused = CompletableFuture.supplyAsync(() -> {
            c.start(handler);
            try {
                c.start(second);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertThat(refused.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a handler");
        port.runTasks();
        c.request(1);
        io.completeRead("for the first".getBytes());
        assertThat(handler.text()).isEqualTo("for the first");
        assertThat(second.sizes).isEmpty();
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void aStartAfterTheCloseEndsTheHandlerAtOnce() {
        Channel c = ChannelFactory.connected(port, io, CAPS, OPTIONS);
        c.dispose();
        c.start(handler);
        assertThat(handler.ends).isEqualTo(1);
        assertThat(handler.closes).isEqualTo(1);
    }

    @Test
    void aHandlerThatThrowsClosesTheConnectionAbortivelyWithItsError() {
        Channel c = connected();
        RuntimeException boom = new IllegalStateException("boom");
        handler.throwOnData = boom;
        RecordingSource pending = send(c);
        c.request(1);
        io.completeRead("x".getBytes());
        assertThat(c.isOpen()).isFalse();
        assertThat(io.reset).isTrue();
        assertThat(handler.errors).containsExactly(boom);
        assertThat(pending.failures).containsExactly(boom);
        assertThat(handler.closes).isEqualTo(1);
    }

    @Test
    void endOfStreamWhileAWriteIsPendingLetsTheWritesFailureWin() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("data");
        assertThat(io.writePending()).isTrue();
        c.request(1);
        io.endOfStream();                            // a reset can read as EOF on NIO.2
        assertThat(handler.ends).as("held back behind the write").isZero();
        io.failWrite(new IOException("Connection reset by peer"));
        port.runTasks();
        assertThat(handler.ends).isZero();
        assertThat(handler.errors).singleElement().isInstanceOf(ConnectionResetException.class);
        assertThat(s.failures).singleElement().isInstanceOf(ConnectionResetException.class);
    }

    @Test
    void endOfStreamWhileAWriteIsPendingEndsTheInputOnceTheWriteCompletes() {
        Channel c = connected();
        io.inlineWrites = false;
        RecordingSource s = send(c);
        s.offer("data");
        c.request(1);
        io.endOfStream();
        io.completeWrite();
        port.runTasks();
        assertThat(handler.ends).isEqualTo(1);
        assertThat(c.isOpen()).as("half-closed: still open for output").isTrue();
    }

    @Test
    void aReadErrorFailsTheInputAndClosesTheConnection() {
        Channel c = connected();
        c.request(1);
        io.failRead(new IOException("Connection reset by peer"));
        assertThat(handler.errors).singleElement().isInstanceOf(ConnectionResetException.class);
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> c.request(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
