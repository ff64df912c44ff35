package io.flowsock.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for a contender's server JVM that burns exactly the CPU it is told to, so a test can
 * tell whose CPU time a {@link CpuWindow} counted. stdin commands, one reply line each:
 * {@code burn <ms>} burns that much CPU time on the main thread ("BURNT"); {@code jit <ms>} starts
 * a thread that names itself like HotSpot's C2 compiler thread and burns that much ("STARTED");
 * {@code cpu} prints {@code CPU <own process CPU ns>} as ServerMain does. End of input stops it.
 */
public final class FakeServer {
    private static volatile long sink;   // keeps the busy loops from being optimised away

    private FakeServer() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(Protocol.READY + " fake");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "burn" -> {
                    burn(Long.parseLong(w[1]));
                    System.out.println("BURNT " + w[1]);
                }
                case "jit" -> {
                    long ms = Long.parseLong(w[1]);
                    Thread t = new Thread(() -> {
                        Thread.currentThread().setName("C2 CompilerThread9");   // only a thread can rename itself natively
                        burn(ms);
                        // stay: /proc drops an exited thread's time from the sum of the live ones
                        java.util.concurrent.locks.LockSupport.park();
                    });
                    t.setDaemon(true);
                    t.start();
                    System.out.println("STARTED jit");
                }
                case Protocol.CMD_CPU -> System.out.println(Protocol.CPU + " "
                        + ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime());
                default -> System.out.println("ERROR unknown " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }

    /** Spins until this thread has used {@code ms} of CPU time (bounded: at most 20 s of wall time). */
    static void burn(long ms) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + ms * 1_000_000L;
        long wallLimit = System.nanoTime() + 20_000_000_000L;
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < until && System.nanoTime() < wallLimit) {
            for (int i = 0; i < 10_000; i++) {
                x += x * 31 + i;
            }
        }
        sink = x;
    }
}
