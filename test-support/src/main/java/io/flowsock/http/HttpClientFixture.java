package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * What the HttpClient suites share: the clients and scripted servers a test makes, tracked, and
 * after every test each client disposed with its pools holding no connection.
 */
public abstract class HttpClientFixture extends HttpFixture {
    static final Duration VERIFY = Duration.ofSeconds(20);

    private final List<HttpClient> clients = new ArrayList<>();
    private final List<ScriptedServer> scripted = new ArrayList<>();

    HttpClient client(String baseUrl) {
        HttpClient c = HttpClient.create().baseUrl(baseUrl).tcp(t -> t.transport(transport));
        clients.add(c);
        return c;
    }

    HttpClient client(DisposableServer s) {
        return client("http://127.0.0.1:" + s.port());
    }

    /** Pools derived from a tracked client by a call that changes how they connect are tracked too. */
    HttpClient track(HttpClient c) {
        clients.add(c);
        return c;
    }

    ScriptedServer scripted(ScriptedServer.Script script) throws IOException {
        ScriptedServer s = new ScriptedServer(script);
        scripted.add(s);
        return s;
    }

    @AfterEach
    void noConnectionOutlivesItsExchange() throws IOException {
        try {
            for (HttpClient c : clients) {
                c.dispose();
                await(() -> c.poolStats().open() == 0, "every connection of " + c + " closed: " + c.poolStats());
            }
        } finally {
            for (ScriptedServer s : scripted) {
                s.close();
            }
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within 10 s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
