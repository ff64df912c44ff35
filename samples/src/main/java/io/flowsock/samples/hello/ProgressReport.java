package io.flowsock.samples.hello;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a {@link HelloLoad} from a main thread, printing one line per second and the summary:
 * <pre>
 *   3s  10412 exchanges/s  connect errors 0  other errors 0
 * hello: 104120 exchanges in 10.0 s = 10412 exchanges/s, connect errors 0, other errors 0
 * </pre>
 * The rate is that second's; the error counts are totals so far, since any error at all is news.
 *
 * <p>Blocks the calling thread, which must not be a connection's port thread.
 */
final class ProgressReport {
    private ProgressReport() {
    }

    static HelloResult run(HelloLoad load, PrintStream out) {
        CompletableFuture<HelloResult> done = load.run().toFuture();
        // The load stops itself; this bound only turns a bug into an error instead of a hang.
        Duration bound = load.duration().plus(HelloLoad.EXCHANGE_TIMEOUT.multipliedBy(2)).plusSeconds(5);
        long giveUp = System.nanoTime() + bound.toNanos();
        long nextTick = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long lastExchanges = 0;
        int second = 0;
        while (true) {
            try {
                HelloResult result = done.get(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS);
                out.println(result.summary());
                return result;
            } catch (TimeoutException tick) {
                HelloResult now = load.progress();
                second++;
                out.printf(Locale.ROOT, "%3ds  %6d exchanges/s  connect errors %d  other errors %d%n", second,
                        now.exchanges() - lastExchanges, now.connectErrors(), now.otherErrors());
                lastExchanges = now.exchanges();
                nextTick += TimeUnit.SECONDS.toNanos(1);
                if (System.nanoTime() > giveUp) {
                    done.cancel(true);
                    throw new IllegalStateException("the hello load did not stop within " + bound);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done.cancel(true);
                throw new IllegalStateException("interrupted while the hello load ran", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the hello load failed", e.getCause());
            }
        }
    }
}
