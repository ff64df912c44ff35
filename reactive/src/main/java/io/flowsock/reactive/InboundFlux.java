package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelHandler;
import java.nio.ByteBuffer;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A connection's inbound: the channel's handler and the single subscriber's subscription in one
 * object. Every signal to the subscriber, onSubscribe included, is sent from the port thread, so
 * a terminal event that arrives before the subscriber does is simply kept and replayed.
 */
final class InboundFlux extends Flux<ByteBuffer> implements ChannelHandler, Subscription {
    private final Channel channel;
    private final ChannelConnection connection;   // told when the channel closes
    private static final java.lang.invoke.VarHandle SUBSCRIBED;
    /** Reactor's subscriber behind {@code Flux.then()} and {@code ignoreElements()}; null if renamed. */
    private static final Class<?> IGNORE_ELEMENTS = reactorClass("reactor.core.publisher.MonoIgnoreElements$IgnoreElementsSubscriber");
    /** The context key under which {@code doOnDiscard} puts its hook (Reactor's {@code Hooks.KEY_ON_DISCARD}). */
    private static final String LOCAL_DISCARD_HOOK = "reactor.onDiscard.local";

    static {
        try {
            SUBSCRIBED = java.lang.invoke.MethodHandles.lookup().findVarHandle(InboundFlux.class, "subscribed",
                    boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile boolean subscribed;   // set once by the first subscribe, from any thread
    // Port thread only. Dropped once the subscriber cancelled or got its terminal signal.
    private CoreSubscriber<? super ByteBuffer> actual;
    private boolean ended;
    // Written once on the port just before onComplete or onError, read by cancel on any thread: a
    // cancel that follows the terminal signal (Flux.zip cancelling a finished source) then does nothing.
    private volatile boolean terminated;
    private Throwable error;
    private volatile boolean cancelled;   // written by any thread (cancel), read on the port
    // Port thread only: the subscriber never keeps a buffer, so the channel may lend its own.
    private boolean loans;

    private static Class<?> reactorClass(String name) {
        try {
            return Class.forName(name, false, Flux.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;               // another Reactor: its subscribers get copies
        }
    }

    InboundFlux(Channel channel, ChannelConnection connection) {
        this.channel = channel;
        this.connection = connection;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> subscriber) {
        if (!SUBSCRIBED.compareAndSet(this, false, true)) {
            Operators.error(subscriber, new IllegalStateException("inbound of " + channel
                    + " already has a subscriber; a connection's inbound may be subscribed once"));
            return;
        }
        channel.port().dispatch(() -> {
            actual = subscriber;
            loans = keepsNothing(subscriber);
            subscriber.onSubscribe(this);   // may request, read inline and end the input itself
            if (ended && !cancelled) {
                terminate();
            }
        });
    }

    @Override
    public void request(long n) {
        if (cancelled) {
            return;
        }
        if (n <= 0) {
            channel.port().dispatch(() -> {
                CoreSubscriber<? super ByteBuffer> a = actual;
                cancel();   // on the port thread this drops the subscriber at once
                if (!terminated && a != null) {
                    terminated = true;
                    a.onError(new IllegalArgumentException(
                            "request must be > 0 (Reactive Streams rule 3.9), was " + n));
                }
            });
            return;
        }
        channel.request(n);
    }

    /**
     * No more input: the channel stops reading and drops what a posted read brings, but the
     * connection stays open for output. After the terminal signal a cancel does nothing (rules
     * 2.4, 3.7).
     */
    @Override
    public void cancel() {
        if (!cancelled && !terminated) {
            cancelled = true;
            channel.abandonInput();
            channel.port().dispatch(() -> actual = null);   // rule 3.13: let the subscriber go
        }
    }

    @Override
    public void onData(ByteBuffer data) {
        if (!cancelled) {
            actual.onNext(data);
        }
    }

    @Override
    public void onEnd() {
        ended = true;
        if (actual != null && !cancelled) {
            terminate();
        }
    }

    @Override
    public void onError(Throwable e) {
        error = e;
        onEnd();
    }

    private void terminate() {
        if (terminated) {
            return;
        }
        terminated = true;
        CoreSubscriber<? super ByteBuffer> a = actual;
        actual = null;   // rule 3.13: a finished subscription holds no reference to its subscriber
        if (error != null) {
            a.onError(error);
        } else {
            a.onComplete();
        }
    }

    @Override
    public void onClosed() {
        connection.closed();
    }

    /**
     * Subscribers that provably keep no buffer, so that the channel may lend them the port's
     * receive buffers instead of copying: the loaned mode's borrower, which shows each one to its
     * reader for one call and passes on only what the reader made of it; a send of this same
     * connection, which writes them in place (an echo); and Reactor's ignore-elements subscriber
     * ({@code then()}, {@code ignoreElements()}), which drops each one at once, unless a discard
     * hook in its context would see them. Anything else, wrapped ones included, gets buffers of
     * its own.
     */
    private boolean keepsNothing(CoreSubscriber<? super ByteBuffer> s) {
        if (s instanceof LendingFlux.Borrower<?> b && b.borrowsFrom(this)) {
            return true;
        }
        if (s instanceof SendMono.SendSubscriber send && send.echoes(channel)) {
            send.lent();
            return true;
        }
        return s.getClass() == IGNORE_ELEMENTS && !s.currentContext().hasKey(LOCAL_DISCARD_HOOK);
    }

    /** The connection this is the inbound of, to name it in errors. */
    Connection connection() {
        return connection;
    }

    @Override
    public boolean takesLoans() {
        return loans && !cancelled;
    }

    @Override
    public boolean discardsInput() {
        return actual == null || cancelled;
    }
}
