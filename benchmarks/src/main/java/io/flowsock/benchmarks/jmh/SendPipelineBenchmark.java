package io.flowsock.benchmarks.jmh;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.Send;
import io.flowsock.core.SendSource;
import io.flowsock.core.Timer;
import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The send pipeline of a real {@link Channel} with the kernel taken out: a socket whose writes
 * complete at once and a port that runs everything inline. Per buffer this is the credit grant,
 * the offer, the gathering write's bookkeeping and the retirement — flowsock's whole cost of
 * sending a buffer apart from the system call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SendPipelineBenchmark {
    static final int BUFFERS = 1024;

    @Param({"1", "16"})
    int sendCap;

    private Channel channel;
    private final ByteBuffer payload = ByteBuffer.allocate(64);

    @Setup
    public void open() {
        channel = ChannelFactory.connected(new InlinePort(), new InstantSocket(), new Capabilities(1024, 1024),
                ChannelOptions.DEFAULTS.withSendCap(sendCap));
    }

    /** Sends {@value #BUFFERS} buffers through one outbound stream; reported per buffer. */
    @Benchmark
    @OperationsPerInvocation(BUFFERS)
    public boolean sendBuffers() {
        Source source = new Source();
        channel.send(source);
        return source.sent;
    }

    private final class Source implements SendSource {
        Send send;
        int offered;
        boolean sent;

        @Override
        public void onStart(Send send) {
            this.send = send;
        }

        @Override
        public void request(long n) {
            for (long i = 0; i < n && offered < BUFFERS; i++) {
                offered++;
                send.offer(payload.duplicate());
            }
            if (offered == BUFFERS) {
                send.complete();
            }
        }

        @Override
        public void cancel() {
        }

        @Override
        public void onSent() {
            sent = true;
        }

        @Override
        public void onFailed(Throwable error) {
            throw new IllegalStateException(error);
        }
    }

    /** A port that is always "this thread": every hand-off runs inline. */
    private static final class InlinePort implements CompletionPort {
        /** A clock that never moves and never fires: nothing here times out. */
        private final Timer timer = new Timer() {
            @Override
            public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
                return () -> { };
            }

            @Override
            public long nanoTime() {
                return 0;
            }
        };

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public boolean inPort() {
            return true;
        }

        @Override
        public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
            return () -> { };
        }

        @Override
        public Timer timer() {
            return timer;
        }
    }

    /** Writes complete at once and in full; reads never complete (nothing is read here). */
    private static final class InstantSocket implements SocketIo {
        private final InetSocketAddress address = new InetSocketAddress("127.0.0.1", 9);

        @Override
        public void read(int count, boolean small, ReadCompletion completion) {
        }

        @Override
        public void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += srcs[i].remaining();
                srcs[i].position(srcs[i].limit());
            }
            completion.completed(n);
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close(boolean reset, Runnable released) {
            released.run();
        }

        @Override
        public int smallBufferSize() {
            return 1024;
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return address;
        }
    }
}
