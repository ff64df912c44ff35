package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.spi.ChannelFactory;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Receive buffers the core takes on loan from a backend that lends them, for a handler that offers
 * them to a send of the same channel: each one offered is written as it was, and goes back to the
 * backend exactly once, after its write or at the channel's release, never while the kernel may
 * still read it.
 */
class ChannelLoanTest extends EngineFixture {

    /** A channel whose handler takes loans and does {@code onData} with each. */
    private Channel lending(Consumer<ByteBuffer> onData) {
        io.lends = true;
        Channel c = ChannelFactory.connected(port, io, CAPS, OPTIONS);
        c.start(new ChannelHandler() {
            @Override
            public void onData(ByteBuffer data) {
                onData.accept(data);
            }

            @Override
            public boolean takesLoans() {
                return true;
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onError(Throwable error) {
            }
        });
        return c;
    }

    /** Every buffer the core kept was given back once, and nothing else was. */
    private void assertEachLoanGivenBackOnce() {
        assertThat(io.recycled).as("given back").hasSameSizeAs(io.kept);
        for (ByteBuffer b : io.kept) {
            assertThat(io.recycled.stream().filter(r -> r == b).count()).as("returns of one loan").isEqualTo(1);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aLoanGoesBackOnceItIsWrittenNotWhenItIsQueued() {
        io.inlineWrites = false;
        RecordingSource[] echo = new RecordingSource[1];
        Channel c = lending(b -> echo[0].send.offer(b));
        echo[0] = send(c);
        c.request(1);
        io.completeRead(ascii("hello"));
        assertThat(io.kept).as("kept for the write").hasSize(1);
        assertThat(io.recycled).as("given back while its write is pending").isEmpty();
        io.completeWrite();
        assertThat(io.writtenText()).isEqualTo("hello");
        assertEachLoanGivenBackOnce();
    }

    @Test
    void aLoanOfferedTwiceInOneOnDataIsWrittenTwiceAndGoesBackOnce() {
        RecordingSource[] echo = new RecordingSource[1];
        Channel c = lending(b -> {
            echo[0].send.offer(b);
            echo[0].send.offer(b);
        });
        echo[0] = send(c);
        c.request(1);
        io.completeRead(ascii("twice"));
        assertThat(io.writtenText()).isEqualTo("twicetwice");
        assertEachLoanGivenBackOnce();
    }

    @Test
    void aLoanOfferedAgainBehindAnotherThreadsOfferIsWrittenAgainFromACopy() throws Exception {
        RecordingSource[] echo = new RecordingSource[1];
        Channel c = lending(b -> {
            echo[0].send.offer(b);                     // straight to the output: the loan is taken
            Thread other = new Thread(() -> echo[0].offer("-"));
            other.start();
            join(other);                               // now the send's hand-off queue is not empty
            echo[0].send.offer(b);                     // queued behind it, past the end of the loan
        });
        echo[0] = send(c);
        c.request(1);
        io.completeRead(ascii("again"));
        port.runTasks();
        assertThat(io.writtenText()).isEqualTo("again-again");
        assertEachLoanGivenBackOnce();
    }

    private static void join(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void loansOfWritesParkedWhenTheChannelIsDisposedGoBackOnceAtItsReleaseNotBefore() {
        io.inlineWrites = false;
        io.deferRelease = true;
        RecordingSource[] echo = new RecordingSource[1];
        Channel c = lending(b -> echo[0].send.offer(b));
        echo[0] = send(c);
        c.request(2);
        io.completeRead(ascii("one"));               // written: the write parks
        io.completeRead(ascii("two"));               // queued behind it
        assertThat(io.kept).hasSize(2);
        c.dispose();
        assertThat(io.recycled).as("given back while the kernel may still read them").isEmpty();
        io.failWrite(new AsynchronousCloseException());   // the parked write's final completion
        assertThat(io.recycled).as("given back before the socket's release").isEmpty();
        io.release();
        assertEachLoanGivenBackOnce();
        assertThat(echo[0].failures).hasSize(1);
    }

    @Test
    void aLoanOfferedByAHandlerThatAbortsItsChannelInTheSameOnDataGoesBackOnce() {
        RecordingSource[] echo = new RecordingSource[1];
        Channel[] channel = new Channel[1];
        channel[0] = lending(b -> {
            echo[0].send.offer(b);
            channel[0].abort(new IllegalStateException("enough"));   // released inside this call
        });
        echo[0] = send(channel[0]);
        channel[0].request(1);
        io.completeRead(ascii("last"));
        assertThat(io.kept).as("kept: the backend must not take it back itself").hasSize(1);
        assertEachLoanGivenBackOnce();
    }

    @Test
    void aLoanPartlyWrittenAtAResetGoesBackOnceAndTheOthersOfItsReadGoBackToTheBackendAtOnce() {
        io.inlineWrites = false;
        io.writeLimit = 2;
        RecordingSource[] echo = new RecordingSource[1];
        boolean[] first = {true};
        Channel c = lending(b -> {
            if (first[0]) {
                echo[0].send.offer(b);                 // only the first buffer of the read is offered
            }
            first[0] = false;
        });
        echo[0] = send(c);
        c.request(16);
        io.completeRead(2, ScriptedSocket.LARGE, bytes(ScriptedSocket.LARGE + 1));   // one read, two buffers
        assertThat(io.kept).as("only the offered one is kept").hasSize(1);
        io.completeWrite();                           // two bytes of it
        c.abort(new IllegalStateException("reset"));
        assertEachLoanGivenBackOnce();
    }
}
