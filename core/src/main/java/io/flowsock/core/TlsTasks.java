package io.flowsock.core;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run SSLEngine's delegated tasks for every TLS connection of the process: as
 * many as there are CPUs, daemons, started on demand and gone after 30 s without work. A port
 * thread hands a task here and goes on serving its other connections; the task's connection
 * resumes on its port when the task is done.
 */
final class TlsTasks {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL;

    static {
        int n = Runtime.getRuntime().availableProcessors();
        POOL = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "flowsock-tls-task-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        POOL.allowCoreThreadTimeOut(true);
    }

    private TlsTasks() {
    }

    static void execute(Runnable task) {
        POOL.execute(task);
    }
}
