package io.flowsock.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of flowsock's buffer contract: every read is copied out of port-owned direct memory
 * into a right-sized heap buffer the subscriber owns for good. Measures that copy (allocation,
 * zeroing and memcpy) for a short message and for a full 64 KiB receive buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CopyOutBenchmark {
    @Param({"64", "1024", "65536"})
    int bytes;

    private ByteBuffer port;

    @Setup
    public void fill() {
        port = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i++) {
            port.put(i, (byte) i);
        }
    }

    /** What Channel.deliver does per filled receive buffer. */
    @Benchmark
    public ByteBuffer copyOut() {
        ByteBuffer src = port.duplicate();
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src).flip();
        return copy;
    }
}
