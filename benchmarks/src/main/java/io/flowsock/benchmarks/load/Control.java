package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator's side of the conversation with the runner: marks that the runner answers
 * after sampling the server, the result line and a few error lines. Only the main thread marks.
 */
final class Control {
    private static final int MAX_ERROR_LINES = 5;
    private static final BufferedReader IN =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    private static final AtomicInteger ERROR_LINES = new AtomicInteger();

    private Control() {
    }

    /**
     * Prints {@code MARK name} and waits for the runner's "go": the runner samples the server's
     * CPU time or memory in between, so the sample sits exactly at this point of the load.
     */
    static void mark(String name) throws IOException {
        System.out.println(Protocol.MARK + " " + name);
        System.out.flush();
        String answer = IN.readLine();
        if (!Protocol.GO.equals(answer)) {
            throw new IOException("runner answered " + answer + " to MARK " + name);
        }
    }

    /**
     * Prints {@code MARK warm} after one warm-up pass and waits for the runner's verdict: true
     * ("again") when the server's JIT was still compiling during that pass and another pass is
     * wanted, false ("go") when the server is warm. The runner bounds the number of passes.
     */
    static boolean warmAgain() throws IOException {
        System.out.println(Protocol.MARK + " warm");
        System.out.flush();
        String answer = IN.readLine();
        if (Protocol.AGAIN.equals(answer)) {
            return true;
        }
        if (!Protocol.GO.equals(answer)) {
            throw new IOException("runner answered " + answer + " to MARK warm");
        }
        return false;
    }

    /** Prints one error for the runner to show; the first few only, from any thread. */
    static void error(String what) {
        if (ERROR_LINES.incrementAndGet() <= MAX_ERROR_LINES) {
            synchronized (System.out) {
                System.out.println(Protocol.ERROR + " " + what.replace('\n', ' '));
                System.out.flush();
            }
        }
    }

    /** What a TLS load negotiated, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256", for the runner to print once. */
    static void tls(String negotiated) {
        System.out.println(Protocol.TLS + " " + negotiated);
        System.out.flush();
    }

    static void result(Metrics metrics) {
        System.out.println(Protocol.RESULT + " " + metrics);
        System.out.flush();
    }
}
