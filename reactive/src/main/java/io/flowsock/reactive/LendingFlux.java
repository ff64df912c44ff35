package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

/**
 * {@code Connection.inbound(reader)}: the connection's inbound in loaned mode. Each received
 * buffer is lent to the reader for one call and only what the reader returns travels on, so the
 * inbound may lend the port's own receive memory instead of copying it: its subscriber, a
 * {@link Borrower}, is one it knows keeps nothing. Demand, cancellation and the terminal signals
 * are the inbound's own, passed through; the one-subscriber rule is the inbound's too.
 */
final class LendingFlux<T> extends Flux<T> {
    private final InboundFlux inbound;
    private final Function<? super ByteBuffer, ? extends T> reader;

    LendingFlux(InboundFlux inbound, Function<? super ByteBuffer, ? extends T> reader) {
        this.inbound = inbound;
        this.reader = reader;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        inbound.subscribe(new Borrower<>(actual, reader, inbound));
    }

    /**
     * The inbound's subscriber in loaned mode: applies the reader to a read-only view of each
     * lent buffer and emits the result. The inbound's subscription goes to the subscriber as it
     * is, so its requests and cancel reach the inbound directly; one value per buffer keeps the
     * demand exact. A read-only view rather than the buffer itself: the reader can then move
     * neither the position nor the limit the port reads from, nor write into its memory; it
     * costs one small object per buffer, no more than a duplicate (docs/design.md#buffers).
     *
     * <p>Signals come from the inbound, on the port thread, one at a time; so do the fields.
     */
    static final class Borrower<T> implements CoreSubscriber<ByteBuffer>, Supplier<String> {
        private final CoreSubscriber<? super T> actual;
        private final Function<? super ByteBuffer, ? extends T> reader;
        private final InboundFlux inbound;
        private Subscription upstream;
        private boolean failed;   // the reader failed: the inbound was cancelled, nothing more goes out

        Borrower(CoreSubscriber<? super T> actual, Function<? super ByteBuffer, ? extends T> reader,
                 InboundFlux inbound) {
            this.actual = actual;
            this.reader = reader;
            this.inbound = inbound;
        }

        /** The reader's name in a contract error. */
        @Override
        public String get() {
            return "the inbound reader of " + inbound.connection();
        }

        /** Whether this borrows from {@code in}: then {@code in} may lend its port's buffers. */
        boolean borrowsFrom(InboundFlux in) {
            return inbound == in;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(ByteBuffer lent) {
            if (failed) {
                return;                  // unreachable: a cancelled inbound delivers nothing more
            }
            Throwable e = Loan.lend(reader, lent, actual, this);
            if (e != null) {
                fail(e);
            }
        }

        /**
         * The reader failed: the inbound is cancelled first (reading stops; the lent buffer goes
         * back to the port once this onNext returns), then the subscriber gets the error.
         */
        private void fail(Throwable e) {
            failed = true;
            upstream.cancel();
            actual.onError(e);
        }

        @Override
        public void onError(Throwable t) {
            if (!failed) {
                actual.onError(t);
            }
        }

        @Override
        public void onComplete() {
            if (!failed) {
                actual.onComplete();
            }
        }
    }
}
