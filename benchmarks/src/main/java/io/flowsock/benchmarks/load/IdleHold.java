package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What http-idle-memory and ws-idle-memory share: MARK before (the runner reads the server's heap
 * after GC and its RSS), {@code connections} connections opened with one exchange on each, MARK
 * held (the runner waits until the server holds them all, then reads again), a second exchange on
 * every connection to prove none was lost, and close.
 */
final class IdleHold {
    private IdleHold() {
    }

    /** Opens one connection; the load's own type. */
    interface Opener<C extends AutoCloseable> {
        C open(int id) throws IOException;
    }

    /** One exchange on a held connection: 0 when it was answered right, else 1 (after an error line). */
    interface Exchange<C> {
        int on(C connection, int round);
    }

    /** {@code warmErrors}: the warm-up's errors, counted with the rest. */
    static <C extends AutoCloseable> Metrics run(String scenario, int connections, long warmErrors, Opener<C> opener,
                                                 Exchange<C> exchange) throws Exception {
        long connectErrors = 0;
        long otherErrors = warmErrors;
        List<C> held = new ArrayList<>(connections);
        try {
            Control.mark("before");
            for (int i = 0; i < connections; i++) {
                C c;
                try {
                    c = opener.open(i);
                } catch (IOException e) {
                    connectErrors++;
                    Control.error(scenario + " connect: " + e);
                    continue;
                }
                held.add(c);
                otherErrors += exchange.on(c, 1);
            }
            Control.mark("held " + held.size());
            for (C c : held) {
                otherErrors += exchange.on(c, 2);
            }
        } finally {
            for (C c : held) {
                c.close();
            }
        }
        return new Metrics()
                .put("connections", held.size())
                .put("err_connect", connectErrors)
                .put("err_other", otherErrors);
    }
}
