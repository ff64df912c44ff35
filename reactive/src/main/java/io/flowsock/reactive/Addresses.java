package io.flowsock.reactive;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Host names to addresses without blocking the caller's thread: literal addresses are parsed in
 * place, names are resolved on a blocking-capable scheduler (name lookups may do file or network
 * I/O, which must never happen on a port thread).
 */
final class Addresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Addresses() {
    }

    static String checkHost(String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, was \"" + host + "\"");
        }
        return host;
    }

    /** A port to bind: 0 (any free one) to 65535. */
    static int checkPort(int port) {
        return checkPort(port, 0);
    }

    /** A port in {@code lowest..65535}; a client's lowest is 1, since there is no port 0 to connect to. */
    static int checkPort(int port, int lowest) {
        if (port < lowest || port > 65535) {
            throw new IllegalArgumentException("port must be in " + lowest + "..65535, was " + port);
        }
        return port;
    }

    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    static Mono<InetSocketAddress> resolve(String host, int port) {
        if (isLiteral(host)) {
            return Mono.fromCallable(() -> resolveNow(host, port));
        }
        return Mono.fromCallable(() -> resolveNow(host, port)).subscribeOn(Schedulers.boundedElastic());
    }

    private static InetSocketAddress resolveNow(String host, int port) throws UnknownHostException {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return new InetSocketAddress(InetAddress.getByName(h), port);
    }
}
