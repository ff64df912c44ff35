package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A load generator's measurements, printed as {@code key=value} pairs. Keys starting with
 * {@code err_} are errors; {@code cpu_units} is what the runner divides the server's CPU time by.
 */
final class Metrics {
    private final Map<String, String> values = new LinkedHashMap<>();

    Metrics put(String key, long value) {
        values.put(key, Long.toString(value));
        return this;
    }

    Metrics put(String key, double value) {
        values.put(key, String.format(Locale.ROOT, "%.6g", value));
        return this;
    }

    /** {@code key} could not be measured this time: printed as {@link Protocol#UNAVAILABLE}, never as a number. */
    Metrics unavailable(String key) {
        values.put(key, Protocol.UNAVAILABLE);
        return this;
    }

    /** The value, or {@link #unavailable} when it is empty. */
    Metrics put(String key, OptionalDouble value) {
        return value.isPresent() ? put(key, value.getAsDouble()) : unavailable(key);
    }

    /** A byte-stream load's result: server CPU is counted per GiB moved. */
    static Metrics throughput(long bytes, double seconds) {
        return new Metrics()
                .put("bytes", bytes)
                .put("seconds", seconds)
                .put("mib_s", bytes / (1024.0 * 1024.0) / seconds)
                .put("cpu_units", bytes / (double) (1L << 30));
    }

    /** A request/response load's result: server CPU is counted per round trip. */
    static Metrics roundTrips(long roundTrips, double seconds, Samples samples) {
        return new Metrics()
                .put("round_trips", roundTrips)
                .put("seconds", seconds)
                .put("rate", roundTrips / seconds)
                .latencies(samples)
                .put("cpu_units", roundTrips);
    }

    /** p50, p99 and p99.9 of {@code samples} in microseconds: p50_us, p99_us, p999_us; unavailable without samples. */
    Metrics latencies(Samples samples) {
        String[] keys = {"p50_us", "p99_us", "p999_us"};
        double[] qs = {0.50, 0.99, 0.999};
        for (int i = 0; i < keys.length; i++) {
            put(keys[i], samples.size() == 0 ? OptionalDouble.empty()
                    : OptionalDouble.of(samples.percentile(qs[i]) / 1e3));
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        values.forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return s.toString();
    }
}
