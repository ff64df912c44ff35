package io.flowsock.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One measurement: one scenario, one contender, one round. Filled by {@link Measurement}. */
final class Run {
    final Scenario scenario;
    final Contender contender;
    final int round;
    /** The load's RESULT values plus what the runner derived; NaN where a value was unavailable. */
    final Map<String, Double> values = new LinkedHashMap<>();
    /** Error lines of the load and failures of the run itself (crash, timeout, bad exit). */
    final List<String> problems = new ArrayList<>();
    /** Failures of the run itself; each counts as one error. */
    int failures;
    /** Faults of the harness, not of the contender (two CPU readings disagree): they fail any run. */
    final List<String> harnessFaults = new ArrayList<>();
    double seconds;
    /** What a TLS scenario's handshakes negotiated, as the load reported it ("TLSv1.3 TLS_AES_128_GCM_SHA256"); else null. */
    String negotiated;

    Run(Scenario scenario, Contender contender, int round) {
        this.scenario = scenario;
        this.contender = contender;
        this.round = round;
    }

    void fail(String why) {
        failures++;
        problems.add(why);
    }

    void harnessFault(String why) {
        harnessFaults.add(why);
        problems.add(why);
    }

    /** Every err_ value plus the failures of the run. */
    double errors() {
        double sum = failures;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey().startsWith("err_") && !Double.isNaN(e.getValue())) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** Whether the load reported a result: without one the run has no numbers, only errors. */
    boolean measured() {
        return !values.isEmpty();
    }
}
