package io.flowsock.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void percentilesAreExactRanksOfTheSortedSamples() {
        Samples s = new Samples(10_000);
        for (int i = 1000; i >= 1; i--) {
            s.add(i);
        }
        assertThat(s.percentile(0.50)).isEqualTo(500);
        assertThat(s.percentile(0.99)).isEqualTo(990);
        assertThat(s.percentile(0.999)).isEqualTo(999);
        assertThat(s.percentile(1.0)).isEqualTo(1000);
    }

    @Test
    void stopsRecordingAtItsCapAndCountsWhatItDropped() {
        Samples s = new Samples(3000);
        for (int i = 0; i < 5000; i++) {
            s.add(i);
        }
        assertThat(s.size()).isEqualTo(3000);
        assertThat(s.dropped()).isEqualTo(2000);
    }

    @Test
    void mergeKeepsEverySampleOfEveryPart() {
        Samples a = new Samples(10);
        Samples b = new Samples(10);
        a.add(3);
        b.add(1);
        b.add(2);
        Samples all = Samples.merge(List.of(a, b));
        assertThat(all.size()).isEqualTo(3);
        assertThat(all.percentile(0.5)).isEqualTo(2);
    }

    @Test
    void emptySamplesHaveZeroPercentiles() {
        assertThat(new Samples(10).percentile(0.99)).isZero();
    }
}
