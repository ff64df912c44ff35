package io.flowsock.samples.tunables;

import java.io.PrintStream;
import java.time.Duration;

/**
 * IOCPSOCK's two suggested settings side by side, with the (cap, inUse) pairs of the three
 * tunables sampled while they work and one of them changed live.
 *
 * <ul>
 *   <li>FTPD-like, {@code backlog 10, sendcap 20, recvburst 20}: few connections, much data. One
 *       client sends 256 MiB in 64 KiB buffers; Automatic Burst Detection raises the buffers posted
 *       per read, the sender keeps up to 20 buffers in flight, and halfway the server lowers its
 *       connection's recvBurst to 4, which the next reads obey. See {@link BulkTransfer}.
 *   <li>HTTPD-like, {@code backlog 500, sendcap 1, recvburst 1}: many short connections. A burst
 *       of 2,000 connections, at most 200 at once, each a tiny request and reply; the backlog pair
 *       is sampled during the storm and each read posts one buffer. See {@link ConnectionBurst}.
 * </ul>
 *
 * <pre>
 * java io.flowsock.samples.tunables.SettingsDemo [bulkMiB [connections]]     (defaults: 256 2000)
 * </pre>
 * A {@code *} after a recvBurst pair marks samples taken after the live change.
 */
public final class SettingsDemo {
    private SettingsDemo() {
    }

    /**
     * How big each half of the demo is.
     *
     * @param bulkBytes   bytes the FTPD-like client sends, a multiple of 64 KiB
     * @param connections connections in the HTTPD-like burst
     * @param maxOpen     of those, how many at once at most
     * @param period      how often the tunables are sampled
     */
    public record Options(long bulkBytes, int connections, int maxOpen, Duration period) {
        public static final Options DEFAULTS = new Options(256L << 20, 2000, 200, Duration.ofMillis(50));

        public Options {
            if (connections < 1 || maxOpen < 1) {
                throw new IllegalArgumentException("connections and maxOpen must be >= 1, were " + connections
                        + " and " + maxOpen);
            }
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("period must be positive, was " + period);
            }
        }
    }

    /**
     * Both halves' outcomes.
     *
     * @param ftpd the bulk transfer under FTPD-like settings
     * @param httpd the connection burst under HTTPD-like settings
     */
    public record Report(BulkTransfer.Result ftpd, ConnectionBurst.Result httpd) {
    }

    /** Runs both halves one after the other, printing samples and summaries to {@code out}. */
    public static Report run(Options options, PrintStream out) {
        out.printf("FTPD-like: backlog 10, sendCap 20, recvBurst 20; %d MiB in %d KiB buffers;"
                + " recvBurst lowered to %d at half way%n", options.bulkBytes() >> 20, BulkTransfer.BLOCK >> 10,
                BulkTransfer.LIVE_CAP);
        BulkTransfer.Result ftpd = BulkTransfer.run(options.bulkBytes(), options.period(), Duration.ofSeconds(60), out);
        out.println(BulkTransfer.summary(ftpd));
        out.println();
        out.printf("HTTPD-like: backlog 500, sendCap 1, recvBurst 1; %d short connections, at most %d at once%n",
                options.connections(), options.maxOpen());
        ConnectionBurst.Result httpd = ConnectionBurst.run(options.connections(), options.maxOpen(),
                options.period(), Duration.ofSeconds(60), out);
        out.println(ConnectionBurst.summary(httpd));
        return new Report(ftpd, httpd);
    }

    public static void main(String[] args) {
        Options d = Options.DEFAULTS;
        long bulk = args.length > 0 ? Long.parseLong(args[0]) << 20 : d.bulkBytes();
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : d.connections();
        Report r = run(new Options(bulk, connections, d.maxOpen(), d.period()), System.out);
        System.exit(r.httpd().errors() == 0 ? 0 : 1);
    }
}
