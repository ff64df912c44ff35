package io.flowsock.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.benchmarks.Protocol;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void aStormWaveThatLostGreetingsReportsItsLastQuantilesAsUnavailable() {
        StormLoad.Wave warm = new StormLoad.Wave(2);
        warm.greetedAt[warm.greeted++] = 1_000_000;
        warm.greetedAt[warm.greeted++] = 2_000_000;
        StormLoad.Wave w = new StormLoad.Wave(4);
        for (long ms = 10; ms <= 30; ms += 10) {
            w.greetedAt[w.greeted++] = ms * 1_000_000;   // the fourth connection is never greeted
        }

        String line = StormLoad.result(warm, w).toString();
        Map<String, Double> values = Protocol.values(line);

        assertThat(line).doesNotContain("=-");
        assertThat(values.get("t50_ms")).isEqualTo(20.0);
        assertThat(values.get("t99_ms")).isNaN();
        assertThat(values.get("t100_ms")).isNaN();
        assertThat(values.get("err_ungreeted")).isEqualTo(1.0);
    }

    @Test
    void latenciesWithoutSamplesAreUnavailableNotZero() {
        Map<String, Double> values = Protocol.values(new Metrics().latencies(new Samples(10)).toString());

        assertThat(values).containsKeys("p50_us", "p99_us", "p999_us");
        assertThat(values.values()).allMatch(v -> v.isNaN());
    }
}
