package io.flowsock.core;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run SSLEngine's delegated tasks for every TLS connection of the process: as
 * many as there are CPUs, daemons, started together when the first handshake needs one and kept. A
 * port thread hands a task here and goes on serving its other connections; the task's connection
 * resumes on its port when the task is done.
 *
 * <p>Why kept, and why this queue: handing a task over must not park the port thread. A
 * {@code LinkedBlockingQueue}'s offer takes its take lock to signal a waiting thread, and that
 * lock is held by a thread taking from it: BlockHound caught a port thread parked there, and the
 * error it threw lost the signal, so no task ran again in that JVM. {@code LinkedTransferQueue}
 * hands over without a lock (a CAS, then an unpark). A pool that grows or shrinks takes its main
 * lock in {@code execute}, so the threads are all started at once and never time out: a few idle
 * daemon threads cost less than a port thread that may wait.
 */
final class TlsTasks {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL;

    static {
        int n = Runtime.getRuntime().availableProcessors();
        POOL = new ThreadPoolExecutor(n, n, 0, TimeUnit.SECONDS, new LinkedTransferQueue<>(), r -> {
            Thread t = new Thread(r, "flowsock-tls-task-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        POOL.prestartAllCoreThreads();
    }

    private TlsTasks() {
    }

    static void execute(Runnable task) {
        POOL.execute(task);
    }
}
