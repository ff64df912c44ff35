package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;

/**
 * The operator behind the decoders of {@link Frames} and {@link Strings}: each subscription gets a
 * fresh {@link ByteDecoder} and a {@link DecodingSubscriber} that feeds it the input's buffers and
 * emits what it completes, as demand allows.
 *
 * @param <T> the decoded value
 */
final class DecodingFlux<T> extends FluxOperator<ByteBuffer, T> {
    private final Supplier<? extends ByteDecoder<T>> decoders;

    DecodingFlux(Publisher<ByteBuffer> source, Supplier<? extends ByteDecoder<T>> decoders) {
        super(Flux.from(source));
        this.decoders = decoders;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new DecodingSubscriber<>(actual, decoders.get()));
    }
}
