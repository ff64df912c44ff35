package io.flowsock.samples.hello;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What a hello load achieved.
 *
 * @param exchanges     exchanges that completed with the right reply and a graceful close
 * @param connectErrors connects that failed (refused, timed out, out of local ports)
 * @param otherErrors   exchanges that failed after connecting: a reset, a wrong or short reply, the
 *                      per-exchange timeout
 * @param elapsed       how long the load ran
 */
public record HelloResult(long exchanges, long connectErrors, long otherErrors, Duration elapsed) {
    public HelloResult {
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Exchanges per second over the whole run. */
    public double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? exchanges / seconds : 0;
    }

    /** "hello: N exchanges in S s = R exchanges/s, connect errors C, other errors E". */
    public String summary() {
        return String.format(Locale.ROOT, "hello: %d exchanges in %.1f s = %.0f exchanges/s, connect errors %d,"
                + " other errors %d", exchanges, elapsed.toNanos() / 1e9, rate(), connectErrors, otherErrors);
    }
}
