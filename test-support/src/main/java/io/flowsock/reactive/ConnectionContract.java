package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.ConnectionClosedException;
import io.flowsock.core.ConnectionResetException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The connection contract of docs/design.md over real loopback sockets, for one backend: echo,
 * half-close, reset, addresses and the edges review found. Demand and the tunables are in
 * {@link DemandContract}, close and dispose in {@link CloseContract}, cancellation and what follows
 * a terminal signal in {@link CancellationContract}. Each backend subclasses it and supplies its transport, once over TCP and once over TLS ({@link LoopbackFixture#secured()}); a backend that cannot run here is skipped
 * with the reason in the subclass. Public, in flowsock-test-support, so a backend in another module
 * (io_uring) runs the same suite.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ConnectionContract extends LoopbackFixture {
    // ------------------------------------------------------------------ echo

    @Test
    public void echoReturnsEightMebibytesInOrder() {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        Connection conn = client(server).connectNow();
        byte[] data = randomBytes(8 << 20, 1);

        Mono<byte[]> echoed = Flux.merge(
                conn.send(chunks(data, 64 * 1024)).then(conn.shutdownOutput()).then(Mono.<byte[]>empty()),
                collect(conn.inbound())).last();

        StepVerifier.create(echoed).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
        StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
    }

    @Test
    public void echoReturnsEveryByteWhenClientShutsDownOutputRightAfterLastWrite() {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        Connection conn = client(server).connectNow();
        byte[] data = randomBytes(1 << 20, 2);

        Mono<byte[]> echoed = conn.send(Flux.just(ByteBuffer.wrap(data)))
                .then(conn.shutdownOutput())
                .then(collect(conn.inbound()));

        StepVerifier.create(echoed).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
    }

    @Test
    public void echoSurvivesAPeerThatSendsOneByteAtATime() throws Exception {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        byte[] data = randomBytes(2000, 3);
        try (Socket s = peer(server)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            for (byte b : data) {
                out.write(b);
                out.flush();
            }
            s.shutdownOutput();
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(data);
        }
    }

    // ------------------------------------------------------------------ half-close and FIN

    @Test
    public void inboundCompletesWhenPeerShutsDownOutputAndSendingStillWorks() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            peer.getOutputStream().write("last words".getBytes());
            peer.shutdownOutput();
            StepVerifier.create(Strings.decodeUtf8(conn.inbound()).reduce("", String::concat))
                    .expectNext("last words").expectComplete().verify(VERIFY);
            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("reply after your FIN")))
                    .then(conn.shutdownOutput())).expectComplete().verify(VERIFY);
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("reply after your FIN");
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
        }
    }

    @Test
    public void shutdownOutputSendsFinAfterPendingSendsAndInboundKeepsWorking() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            byte[] data = randomBytes(3 << 20, 4);
            conn.send(chunks(data, 100_000)).subscribe();
            conn.shutdownOutput().subscribe();
            assertThat(peer.getInputStream().readAllBytes()).isEqualTo(data);   // EOF right after the data

            peer.getOutputStream().write("still listening?".getBytes());
            peer.shutdownOutput();
            StepVerifier.create(Strings.decodeUtf8(conn.inbound()).reduce("", String::concat))
                    .expectNext("still listening?").expectComplete().verify(VERIFY);
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
        }
    }

    @Test
    public void sendAfterShutdownOutputFailsNamingTheReason() throws Exception {
        DisposableServer server = bind(server());
        try (Socket ignored = peer(server)) {
            Connection conn = nextAccepted();
            StepVerifier.create(conn.shutdownOutput().then(conn.send(Mono.just(Loopback.utf8("late")))))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectionClosedException.class)
                            .hasMessageContaining("output was shut down"))
                    .verify(VERIFY);
        }
    }

    // ------------------------------------------------------------------ reset

    @Test
    public void peerResetErrorsInboundAndAPendingSendWithTheResetException() throws Exception {
        DisposableServer server = bind(server());
        Socket peer = peer(server);
        Connection conn = nextAccepted();
        CompletableFuture<Throwable> inboundError = new CompletableFuture<>();
        conn.inbound().subscribe(b -> { }, inboundError::complete);
        CompletableFuture<Void> send = sendThePeerNeverReads(conn);
        Thread.sleep(200);
        reset(peer);

        Throwable in = inboundError.get(10, TimeUnit.SECONDS);
        assertThat(in).isInstanceOf(ConnectionResetException.class);
        assertThat(((ConnectionResetException) in).remoteAddress()).isEqualTo(conn.remoteAddress());
        StepVerifier.create(Mono.fromFuture(send)).expectErrorSatisfies(e -> assertThat(e).isSameAs(in))
                .verify(VERIFY);
        StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
    }

    @Test
    public void aSecondInboundSubscriberIsRefused() throws Exception {
        DisposableServer server = bind(server());
        try (Socket ignored = peer(server)) {
            Connection conn = nextAccepted();
            conn.inbound().subscribe();
            StepVerifier.create(conn.inbound())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("already has a subscriber"))
                    .verify(VERIFY);
        }
    }

    // ------------------------------------------------------------------ addresses

    @Test
    public void localAndRemoteAddressesMatchOnBothSides() throws Exception {
        DisposableServer server = bind(server());
        Connection client = client(server).connectNow();
        Connection serverSide = nextAccepted();
        assertThat(client.remoteAddress()).isEqualTo(serverSide.localAddress());
        assertThat(serverSide.remoteAddress()).isEqualTo(client.localAddress());
        assertThat(serverSide.localAddress().getPort()).isEqualTo(server.port());
        client.dispose();
    }

    @Test
    public void acceptsSpreadOverEveryPort() throws Exception {
        // The handler runs on the accepted connection's port thread. (A send's first request may
        // be replayed on the subscribing thread, so the thread a send's source runs on proves nothing.)
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        DisposableServer server = bind(server().handle(conn -> {
            threads.add(Thread.currentThread().getName());
            return conn.send(Mono.just(Loopback.utf8("x")));
        }));
        List<Connection> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            clients.add(client(server).connectNow());
        }
        for (Connection c : clients) {
            StepVerifier.create(collect(c.inbound().take(1))).assertNext(b -> assertThat(b).hasSize(1))
                    .expectComplete().verify(VERIFY);
        }
        assertThat(server.accepted()).isEqualTo(40);
        assertThat(threads).allMatch(t -> !t.equals(Thread.currentThread().getName()));
        if (transport.ports().size() > 1) {
            assertThat(threads).as("port threads that served accepted connections").hasSizeGreaterThan(1);
        }
        clients.forEach(Connection::dispose);
        assertThat(Arrays.asList(server.backlog().cap())).containsExactly(1024);
    }

    // ------------------------------------------------------------------ edges found in review

    @Test
    public void inboundSignalsItsEndExactlyOnceWhenDataAndFinAreAlreadyWaiting() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            peer.getOutputStream().write("all at once".getBytes());
            peer.shutdownOutput();
            Thread.sleep(100);                       // data and FIN wait in the kernel
            List<String> signals = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            conn.inbound().subscribe(new reactor.core.CoreSubscriber<ByteBuffer>() {
                Subscription s;

                @Override
                public void onSubscribe(Subscription s) {
                    this.s = s;
                    s.request(Long.MAX_VALUE);       // may read, and see the FIN, inside this call
                }

                @Override
                public void onNext(ByteBuffer b) {
                    signals.add("next");
                }

                @Override
                public void onError(Throwable t) {
                    signals.add("error");
                    ended.complete(null);
                }

                @Override
                public void onComplete() {
                    signals.add("complete");
                    s.request(0);                    // a bad request after the end must not signal again
                    ended.complete(null);
                }
            });
            ended.get(10, TimeUnit.SECONDS);
            Thread.sleep(100);
            assertThat(signals).last().isEqualTo("complete");
            assertThat(signals).filteredOn(x -> !x.equals("next")).containsExactly("complete");
        }
    }

    @Test
    public void aSendCancelledBeforeItStartedDoesNotBlockLaterSendsOrClose() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            // zip cancels the send when the error arrives, before subscribing to it
            StepVerifier.create(Mono.zip(Mono.error(new IllegalStateException("first")),
                            conn.send(Mono.just(Loopback.utf8("never")))))
                    .expectErrorMessage("first").verify(VERIFY);
            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("later")))).expectComplete().verify(VERIFY);
            byte[] got = new byte[5];
            new java.io.DataInputStream(peer.getInputStream()).readFully(got);
            assertThat(new String(got)).isEqualTo("later");
            assertThat(conn.sendCap().inUse()).isZero();
        }
    }

    @Test
    public void cancellingConnectsLeavesNoConnectionBehind() throws Exception {
        // The server reads, so it sees each client's close (reads are posted only against demand).
        DisposableServer server = bind(server().handle(conn -> conn.inbound().then()));
        List<Connection> delivered = new CopyOnWriteArrayList<>();
        // A connection that completes while subscribe(..).dispose() runs can reach the lambda
        // subscriber just after it was disposed; Reactor then drops it to onNextDropped, not to the
        // discard hooks, so it is the application's to close there, as any resource Reactor drops.
        reactor.core.publisher.Hooks.onNextDropped(o -> {
            if (o instanceof Connection c) {
                delivered.add(c);
            }
        });
        try {
            for (int i = 0; i < 20; i++) {
                client(server).connect().subscribe(delivered::add).dispose();
            }
            Thread.sleep(300);
        } finally {
            reactor.core.publisher.Hooks.resetOnNextDropped();
        }
        delivered.forEach(Connection::dispose);   // a connect that won the race is the subscriber's to close
        await(() -> server.connections() == 0, VERIFY, "every cancelled connect closed on the server side too");
    }

    @Test
    public void aSubscriberArrivingDuringACloseGetsNoMoreThanItAskedFor() throws Exception {
        DisposableServer server = bind(server().closeTimeout(Duration.ofSeconds(30)));
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            conn.close().subscribe();
            OutputStream out = peer.getOutputStream();
            byte[] block = new byte[256 * 1024];
            for (int i = 0; i < 16; i++) {
                out.write(block);
            }
            AtomicInteger delivered = new AtomicInteger();
            conn.inbound().subscribe(new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    s.request(1);
                }

                @Override
                protected void hookOnNext(ByteBuffer b) {
                    delivered.incrementAndGet();
                }
            });
            Thread.sleep(300);
            assertThat(delivered.get()).as("onNext calls against a demand of one").isLessThanOrEqualTo(1);
        }
    }

    @Test
    public void closingTheTransportAnswersEveryConnectionAndServer() throws Exception {
        DisposableServer server = bind(server());
        Connection client = client(server).connectNow();
        Connection serverSide = nextAccepted();
        CompletableFuture<Void> clientClosed = client.onClose().toFuture();
        CompletableFuture<Void> serverClosed = serverSide.onClose().toFuture();
        CompletableFuture<Void> disposed = server.onDispose().toFuture();
        server.dispose();
        transport.close();
        clientClosed.get(10, TimeUnit.SECONDS);
        serverClosed.get(10, TimeUnit.SECONDS);
        disposed.get(10, TimeUnit.SECONDS);
    }
}
