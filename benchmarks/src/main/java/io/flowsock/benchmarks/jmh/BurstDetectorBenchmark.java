package io.flowsock.benchmarks.jmh;

import io.flowsock.core.internal.BurstDetector;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Automatic Burst Detection's decision, made once per completed read: choose how many buffers
 * to post against the demand, then learn from how full they came back. Alternates bursts and
 * trickles so both directions of the rule run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BurstDetectorBenchmark {
    private final BurstDetector abd = new BurstDetector(16);
    private int step;

    @Benchmark
    public int decideAndLearn() {
        int posted = abd.next(64, 1024);
        int size = abd.small() ? 1024 : 65536;
        long bytes = (step++ & 31) < 24 ? (long) posted * size : 100;   // bursts, then a trickle
        abd.record(posted, size, bytes, 1024);
        return posted;
    }
}
