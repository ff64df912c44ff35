package io.flowsock.http;

import java.time.Duration;

/**
 * What an {@link HttpServer} holds each request and connection to, and how it compresses its
 * responses. Each limit has the status it is answered with when passed; every such answer closes
 * the connection.
 *
 * @param maxRequestLineLength     bytes of the request line (414); default 8192
 * @param maxHeaderSize            bytes of the request line and header fields together (431); default 16384
 * @param maxHeaders               header fields of one request (431); default 100
 * @param maxBodySize              bytes of one request body (413); default unlimited
 * @param idleTimeout              how long a kept-alive connection may wait for its next request; default 60 s
 * @param headerTimeout            how long a request head may take from its first byte (408): slowloris; default 20 s
 * @param maxRequestsPerConnection requests served on one connection before it is closed; 0 (default) is unlimited
 * @param compression              which responses are sent gzip-compressed, or {@code null} (default): none
 */
record HttpLimits(int maxRequestLineLength, int maxHeaderSize, int maxHeaders, long maxBodySize,
                  Duration idleTimeout, Duration headerTimeout, int maxRequestsPerConnection,
                  HttpCompression compression) {
    static final HttpLimits DEFAULTS = new HttpLimits(8192, 16384, 100, Long.MAX_VALUE, Duration.ofSeconds(60),
            Duration.ofSeconds(20), 0, null);

    HttpLimits {
        if (maxRequestLineLength < 16) {
            throw new IllegalArgumentException("maxRequestLineLength must be >= 16, was " + maxRequestLineLength);
        }
        if (maxHeaderSize < 64) {
            throw new IllegalArgumentException("maxHeaderSize must be >= 64, was " + maxHeaderSize);
        }
        if (maxHeaders < 1) {
            throw new IllegalArgumentException("maxHeaders must be >= 1, was " + maxHeaders);
        }
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("maxBodySize must be >= 0, was " + maxBodySize);
        }
        positive("idleTimeout", idleTimeout);
        positive("requestHeaderTimeout", headerTimeout);
        if (maxRequestsPerConnection < 0) {
            throw new IllegalArgumentException("maxRequestsPerConnection must be >= 0, was " + maxRequestsPerConnection);
        }
    }

    private static void positive(String name, Duration d) {
        java.util.Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** How often the timeouts are checked: a quarter of the shorter one, within 50 ms .. 1 s. */
    long sweepMillis() {
        long shorter = Math.min(idleTimeout.toMillis(), headerTimeout.toMillis());
        return Math.max(50, Math.min(1000, shorter / 4));
    }
}
