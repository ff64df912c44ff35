package io.flowsock.spring;

import java.util.function.BiConsumer;

/** The Cookie request header of RFC 6265, section 4.2: {@code name=value} pairs split by ';'. */
final class CookieHeader {
    private CookieHeader() {
    }

    /** Calls {@code pair} with each cookie's name and value, quotes removed; skips pairs without a name. */
    static void parse(String header, BiConsumer<String, String> pair) {
        int start = 0;
        while (start < header.length()) {
            int end = header.indexOf(';', start);
            if (end < 0) {
                end = header.length();
            }
            int eq = header.indexOf('=', start);
            if (eq > start && eq < end) {
                String name = header.substring(start, eq).trim();
                String value = header.substring(eq + 1, end).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (!name.isEmpty()) {
                    pair.accept(name, value);
                }
            }
            start = end + 1;
        }
    }
}
