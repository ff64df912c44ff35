package io.flowsock.benchmarks.load;

import java.util.HashMap;
import java.util.Map;

/** The {@code key=value} arguments the runner passes to a load generator. */
final class Params {
    private final Map<String, String> values = new HashMap<>();

    static Params parse(String[] args, int from) {
        Params p = new Params();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, was " + args[i]);
            }
            p.values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return p;
    }

    long num(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key + "=<number>");
        }
        return Long.parseLong(v);
    }

    String text(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key + "=<text>");
        }
        return v;
    }

    String text(String key, String orElse) {
        return values.getOrDefault(key, orElse);
    }

    long num(String key, long orElse) {
        String v = values.get(key);
        return v == null ? orElse : Long.parseLong(v);
    }

    int integer(String key) {
        return Math.toIntExact(num(key));
    }
}
