package io.flowsock.http;

import java.time.Duration;

/** The limits of each origin's connection pool, as {@link HttpClient}'s builder set them. */
record PoolSettings(int maxConnections, int pendingAcquireMax, Duration pendingAcquireTimeout, Duration idleTimeout,
                    Duration maxLifetime) {
    /** 2 connections per core, at least 16, as Reactor Netty; twice that may wait, 45 s each; idle 30 s; no lifetime cap. */
    static final PoolSettings DEFAULTS = defaults(Runtime.getRuntime().availableProcessors());

    static PoolSettings defaults(int cores) {
        int max = Math.max(16, 2 * cores);
        return new PoolSettings(max, 2 * max, Duration.ofSeconds(45), Duration.ofSeconds(30), Duration.ZERO);
    }
}
