package io.flowsock.core;

import io.flowsock.core.spi.ChannelFactory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Send}'s signals from several threads at once: Reactor's SendMono ends a stream when its
 * Mono is cancelled while the data Publisher may still be emitting on its own thread.
 */
class SendRaceTest {
    private static final int ROUNDS = 2_000;

    /**
     * Two producer threads (a data Publisher's onNext and a cancel's complete, which the Mono's
     * subscriber may run on its own thread) released together, round after round: neither signal
     * may be lost, so the send always ends.
     */
    @Test
    void aCompleteRacingAnOfferFromAnotherThreadIsNeverLost() throws Exception {
        Racer producer = new Racer(s -> s.offer(ByteBuffer.wrap(new byte[] {1})));
        Racer canceller = new Racer(Send::complete);
        producer.start();
        canceller.start();
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                ScriptedPort port = new ScriptedPort();
                Channel c = ChannelFactory.connected(port, new ScriptedSocket(), EngineFixture.CAPS, EngineFixture.OPTIONS);
                RecordingSource s = new RecordingSource();
                c.send(s);
                producer.send = s.send;
                canceller.send = s.send;
                producer.round = round;          // releases both
                canceller.round = round;
                producer.awaitDone(round);
                canceller.awaitDone(round);
                port.runTasks();
                assertThat(s.sent).as("round %d: the send ended", round).isEqualTo(1);
                assertThat(c.isOpen()).isTrue();
            }
        } finally {
            producer.interrupt();
            canceller.interrupt();
        }
    }

    @Test
    void signalsFromThePortAndAnotherThreadAtOnceEndTheSendCleanly() throws Exception {
        for (int round = 0; round < ROUNDS / 3; round++) {
            ScriptedPort port = new ScriptedPort();
            ScriptedSocket io = new ScriptedSocket();
            Channel c = ChannelFactory.connected(port, io, EngineFixture.CAPS, EngineFixture.OPTIONS);
            RecordingSource s = new RecordingSource();
            c.send(s);
            Thread producer = new Thread(() -> {
                for (int i = 0; i < 8; i++) {
                    s.send.offer(ByteBuffer.wrap(new byte[] {(byte) i}));
                }
            });
            producer.start();
            s.send.complete();                      // the Mono's cancel, handed to the port
            producer.join(TimeUnit.SECONDS.toMillis(10));
            port.runTasks();
            assertThat(s.sent).as("round %d", round).isEqualTo(1);
            assertThat(c.isOpen()).isTrue();
            assertThat(io.written.size()).isLessThanOrEqualTo(8);
        }
    }

    /** A thread that spins until the next round is posted, then signals the round's send once. */
    private static final class Racer extends Thread {
        private final java.util.function.Consumer<Send> signal;
        volatile Send send;
        volatile int round;
        volatile int done;

        Racer(java.util.function.Consumer<Send> signal) {
            this.signal = signal;
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (!isInterrupted()) {
                if (round != seen) {
                    seen = round;
                    signal.accept(send);
                    done = seen;
                } else {
                    Thread.yield();
                }
            }
        }

        void awaitDone(int r) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (done != r) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("round " + r + " did not finish");
                }
                Thread.yield();
            }
        }
    }
}
