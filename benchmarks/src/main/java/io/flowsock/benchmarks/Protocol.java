package io.flowsock.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the servers and the load generators agree on: the bytes of each scenario and the lines a
 * child process prints to talk to the runner. One place, so a server and its load cannot drift.
 *
 * <p>Control lines, one per line on the child's stdout:
 * <pre>
 * READY &lt;detail&gt;            server: bound and accepting; detail names the real transport
 * HEAP &lt;bytes&gt;              server: used heap after GC, in reply to the stdin command "heap"
 * CONNS &lt;n&gt;                 server: connections open now, in reply to the stdin command "conns"
 * CPU &lt;nanoseconds&gt;         server: its own process CPU time, in reply to the stdin command "cpu"
 * JFR &lt;state&gt;               server: "recording" or "written", in reply to "jfr-start [file]" and "jfr-stop"
 * MARK &lt;name&gt; [n]           load: the runner samples the server, then answers "go" on stdin
 *                            ("again" to MARK warm: the server's JIT is still busy, warm up once more)
 * RESULT k=v k=v ...         load: its measurements; keys starting with err_ count as errors;
 *                            v is {@value #UNAVAILABLE} where the load could not measure k this time
 * ERROR &lt;text&gt;               load: one error worth showing (a few at most)
 * TLS &lt;protocol&gt; &lt;cipher&gt;    load: what its TLS handshakes negotiated (checked to be the same on each)
 * </pre>
 */
public final class Protocol {
    /** The loopback address every server binds and every load connects to. */
    public static final String HOST = "127.0.0.1";

    /** hello: what the client sends, and the server's reply. */
    public static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] HELLO_BACK = "hello back".getBytes(StandardCharsets.US_ASCII);

    /** storm: the one byte a server greets each new connection with. */
    public static final byte GREETING = '!';

    /** pingpong: size of a request and of its echo. */
    public static final int PING_SIZE = 64;

    /** stream and echo-stream: size of one client write. */
    public static final int CHUNK = 64 * 1024;

    public static final String READY = "READY";
    public static final String HEAP = "HEAP";
    public static final String CONNS = "CONNS";
    public static final String CPU = "CPU";
    public static final String JFR = "JFR";
    public static final String MARK = "MARK";
    public static final String RESULT = "RESULT";
    public static final String ERROR = "ERROR";
    public static final String TLS = "TLS";
    /**
     * A RESULT value the load could not measure (a storm wave that never reached 99 % greeted, a
     * latency with no samples). Parsed as NaN: the table shows "—" and leaves it out of every
     * median and ratio. A number standing in for it (-1, 0) would be averaged and divided.
     */
    public static final String UNAVAILABLE = "na";
    /** The runner's answer to a MARK line. */
    public static final String GO = "go";
    /** The runner's answer to {@code MARK warm} when the server needs another warm-up pass. */
    public static final String AGAIN = "again";
    /** stdin commands of a server. */
    public static final String CMD_HEAP = "heap";
    public static final String CMD_CONNS = "conns";
    public static final String CMD_CPU = "cpu";
    public static final String CMD_QUIT = "quit";
    /**
     * {@code jfr-start [file]}: record with JFR's "profile" settings until {@code jfr-stop} writes
     * the file; without one, a recording of the warm-up that the next {@code jfr-start} discards.
     */
    public static final String CMD_JFR_START = "jfr-start";
    public static final String CMD_JFR_STOP = "jfr-stop";

    private Protocol() {
    }

    /**
     * The {@code k=v k=v ...} of a RESULT line (the words after "RESULT "), in order; an
     * {@link #UNAVAILABLE} value is NaN.
     */
    public static Map<String, Double> values(String pairs) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String pair : pairs.trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value in a RESULT line, was " + pair);
            }
            String v = pair.substring(eq + 1);
            values.put(pair.substring(0, eq), v.equals(UNAVAILABLE) ? Double.NaN : Double.parseDouble(v));
        }
        return values;
    }
}
