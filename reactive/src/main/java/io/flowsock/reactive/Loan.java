package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * The loaned mode's one step, for {@link Connection#inbound(Function)} and for the layers built
 * on flowsock that lend their own chunks the same way (the HTTP server's request body): the
 * reader is applied to a read-only view of the lent buffer, and what it returns goes to the
 * subscriber. A read-only view, so the reader can move neither the position nor the limit the
 * lender reads from, nor write into its memory. A reader that throws, returns null or returns the
 * view it was lent (which is valid only during the call) has broken the contract: nothing is
 * emitted and the error that should end the flux, naming the reader, is returned instead.
 */
public final class Loan {
    private Loan() {
    }

    /**
     * Lends {@code lent} to {@code reader} for one call and emits its value to {@code actual}:
     * null when emitted, else the error the caller must end the flux with. {@code whose} names
     * the reader in that error ("the body reader"), and is asked only then.
     */
    public static <T> Throwable lend(Function<? super ByteBuffer, ? extends T> reader, ByteBuffer lent,
                                     CoreSubscriber<? super T> actual, Supplier<String> whose) {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(whose, "whose");
        ByteBuffer view = Objects.requireNonNull(lent, "lent").asReadOnlyBuffer();
        T value;
        try {
            value = reader.apply(view);
        } catch (Throwable e) {
            // The reader's own error, as map() would give it; hooks see no buffer, which they could keep.
            return Operators.onOperatorError(e, actual.currentContext());
        }
        if (value == null) {
            return new NullPointerException(whose.get() + " returned null for a buffer of " + lent.remaining()
                    + " bytes; a reader must return a value (Reactive Streams rule 2.13)");
        }
        if (value == view) {
            return new IllegalStateException(whose.get() + " returned the buffer it was lent; that buffer is"
                    + " valid only during the call: return what was read from it (a copy, a decoded value)");
        }
        actual.onNext(value);
        return null;
    }
}
