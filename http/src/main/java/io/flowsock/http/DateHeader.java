package io.flowsock.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} field (RFC 9110, 6.6.1) as the bytes of a whole header line, formatted once per
 * second however many responses go out in it.
 *
 * <p><b>Threading.</b> Any thread. {@link #current} is replaced whole by whichever thread first
 * sees a new second; a reader sees either line, both correct to the second.
 */
final class DateHeader {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private record Line(long second, byte[] bytes) { }

    private static volatile Line current = format(System.currentTimeMillis() / 1000);

    private DateHeader() {
    }

    /** "Date: Fri, 04 Dec 2026 17:46:03 GMT\r\n". */
    static byte[] line() {
        long second = System.currentTimeMillis() / 1000;
        Line l = current;
        if (l.second != second) {
            l = format(second);
            current = l;
        }
        return l.bytes;
    }

    static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    private static Line format(long second) {
        String line = "Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(second)) + "\r\n";
        return new Line(second, line.getBytes(StandardCharsets.US_ASCII));
    }
}
