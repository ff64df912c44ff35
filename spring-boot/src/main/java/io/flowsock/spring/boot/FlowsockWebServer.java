package io.flowsock.spring.boot;

import io.flowsock.core.BindException;
import io.flowsock.http.HttpServer;
import io.flowsock.reactive.DisposableServer;
import java.time.Duration;
import org.springframework.boot.web.server.GracefulShutdownCallback;
import org.springframework.boot.web.server.GracefulShutdownResult;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Spring Boot's {@link WebServer} on a flowsock {@link HttpServer}.
 *
 * <p><b>Threading.</b> Boot calls start, stop and shutDownGracefully from its lifecycle thread;
 * getPort from any. The methods that change state are synchronized.
 *
 * <p><b>Lifecycle.</b> {@link #start()} binds; a non-daemon thread then waits for the server to
 * be disposed, since flowsock's port threads are daemons and would not keep the JVM alive.
 * {@link #shutDownGracefully} is flowsock's graceful dispose: stop accepting, close idle
 * connections, let exchanges in flight finish; Boot waits for it up to
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, then calls {@link #stop()}, which closes
 * whatever is left at once.
 */
final class FlowsockWebServer implements WebServer {
    private static final Logger log = Loggers.getLogger(FlowsockWebServer.class);

    private final HttpServer server;
    private final int configuredPort;
    private final boolean graceful;
    /** Written under the lock by start and stop; volatile so getPort reads it from any thread. */
    private volatile DisposableServer bound;
    /** Set by stop under the lock: a graceful shutdown still running was cut short. */
    private volatile boolean aborted;

    FlowsockWebServer(HttpServer server, int configuredPort, boolean graceful) {
        this.server = server;
        this.configuredPort = configuredPort;
        this.graceful = graceful;
    }

    @Override
    public synchronized void start() {
        if (bound != null) {
            return;
        }
        try {
            bound = server.bindNow();
        } catch (BindException e) {
            throw new PortInUseException(configuredPort, e);
        } catch (RuntimeException e) {
            throw new WebServerException("flowsock's web server could not start", e);
        }
        log.info("flowsock started on port " + bound.port());
        awaitDispose(bound);
    }

    private static void awaitDispose(DisposableServer server) {
        Thread await = new Thread(() -> server.onDispose().onErrorComplete().block(), "flowsock-server-" + server.port());
        await.setDaemon(false);
        await.start();
    }

    @Override
    public synchronized void stop() {
        DisposableServer s = bound;
        if (s != null) {
            aborted = true;
            bound = null;
            s.disposeNow(Duration.ZERO);   // what a graceful shutdown left is closed at once
        }
    }

    @Override
    public int getPort() {
        DisposableServer s = bound;
        return s != null ? s.port() : -1;
    }

    @Override
    public synchronized void shutDownGracefully(GracefulShutdownCallback callback) {
        DisposableServer s = bound;
        if (!graceful || s == null) {
            callback.shutdownComplete(GracefulShutdownResult.IMMEDIATE);
            return;
        }
        log.info("flowsock: graceful shutdown, waiting for exchanges in flight to finish");
        s.dispose();
        s.onDispose().subscribe(null, e -> done(callback), () -> done(callback));
    }

    private void done(GracefulShutdownCallback callback) {
        GracefulShutdownResult result = aborted ? GracefulShutdownResult.REQUESTS_ACTIVE : GracefulShutdownResult.IDLE;
        if (result == GracefulShutdownResult.IDLE) {
            log.info("flowsock: graceful shutdown complete");
        }
        callback.shutdownComplete(result);
    }
}
