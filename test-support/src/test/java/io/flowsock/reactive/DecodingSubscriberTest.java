package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Hooks;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/**
 * How the decoders of {@link Frames} and {@link Strings} drive an input that is not a connection's
 * inbound: calls on the input's subscription never overlap (rule 2.7), nothing reaches the input
 * after the subscriber's terminal signal (rules 2.4, 3.6, 3.7), and late signals go to Reactor's
 * dropped and discard hooks rather than vanishing.
 */
class DecodingSubscriberTest {
    private static final Duration VERIFY = Duration.ofSeconds(5);

    @AfterEach
    void resetHooks() {
        Hooks.resetOnNextDropped();
        Hooks.resetOnErrorDropped();
    }

    @Test
    void aCancelAfterCompletionNeverReachesTheInput() {
        ProbeInput input = new ProbeInput();
        CancelsWhenComplete<String> lines = new CancelsWhenComplete<>();
        Strings.lines(input, 100).subscribe(lines);
        input.next("one\ntwo\n");
        input.complete();

        assertThat(lines.result).isCompletedWithValue(List.of("one", "two"));
        assertThat(input.cancels).as("cancels reaching the input after it completed").hasValue(0);
    }

    @Test
    void aBadRequestAfterCompletionIsIgnored() {
        ProbeInput input = new ProbeInput();
        CancelsWhenComplete<String> frames = new CancelsWhenComplete<>(true);
        Strings.decodeUtf8(Frames.decodeLengthPrefixed(input, 1, 100)).subscribe(frames);
        input.next(new byte[] {1, 'x'});
        input.complete();

        assertThat(frames.result).isCompletedWithValue(List.of("x"));   // not failed by the late request(0)
        assertThat(input.cancels).hasValue(0);
    }

    @Test
    void requestAndCancelNeverOverlapOnTheInput() {
        AtomicReference<String> overlap = new AtomicReference<>();
        for (int i = 0; i < 300 && overlap.get() == null; i++) {
            ProbeInput input = new ProbeInput();
            input.overlap = overlap;
            AtomicReference<Subscription> sub = new AtomicReference<>();
            Frames.decodeLines(input, 100).subscribe(new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    sub.set(s);   // no request: the race below makes the first one
                }
            });
            input.lingerUntil = new AtomicBoolean();
            AtomicBoolean cancelReturned = input.lingerUntil;
            RaceTestUtils.race(() -> sub.get().request(1), () -> {
                sub.get().cancel();
                cancelReturned.set(true);
            });
            assertThat(input.cancels).as("the input cancelled once").hasValue(1);
        }
        assertThat(overlap.get()).as("request and cancel inside the input's subscription at once").isNull();
    }

    @Test
    void aBufferAfterCompletionGoesToOnNextDropped() {
        List<Object> dropped = new CopyOnWriteArrayList<>();
        Hooks.onNextDropped(dropped::add);
        ProbeInput input = new ProbeInput();
        StepVerifier.create(Strings.decodeUtf8(input))
                .then(() -> input.next("a"))
                .expectNext("a")
                .then(input::complete)
                .expectComplete()
                .verify(VERIFY);
        ByteBuffer late = utf8("late");
        input.subscriber.onNext(late);   // a misbehaving input
        assertThat(dropped).containsExactly(late);
    }

    @Test
    void anErrorAfterTheDecoderFailedGoesToOnErrorDropped() {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        ProbeInput input = new ProbeInput();
        StepVerifier.create(Frames.decodeLines(input, 3))
                .then(() -> input.next("toolong"))
                .expectError(FrameTooLongException.class)
                .verify(VERIFY);
        assertThat(input.cancels).as("the decoder's failure cancels the input").hasValue(1);
        IllegalStateException late = new IllegalStateException("late");
        input.subscriber.onError(late);   // an input that errors although cancelled
        assertThat(dropped).containsExactly(late);
    }

    @Test
    void anErrorAfterCancelGoesToOnErrorDroppedAndABufferToTheDiscardHook() {
        List<Throwable> droppedErrors = new CopyOnWriteArrayList<>();
        List<Object> discarded = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(droppedErrors::add);
        ProbeInput input = new ProbeInput();
        StepVerifier.create(Frames.decodeLines(input, 100)
                        .doOnDiscard(ByteBuffer.class, discarded::add), 0)
                .thenRequest(1)
                .thenCancel()
                .verify(VERIFY);
        ByteBuffer late = utf8("late\n");
        input.subscriber.onNext(late);
        IllegalStateException error = new IllegalStateException("late");
        input.subscriber.onError(error);
        assertThat(discarded).containsExactly(late);
        assertThat(droppedErrors).containsExactly(error);
    }

    @Test
    void linesWaitingForDemandAtCancelGoToTheDiscardHook() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        ProbeInput input = new ProbeInput();
        StepVerifier.create(Strings.decodeUtf8(Frames.decodeLines(input, 100)
                                .doOnDiscard(ByteBuffer.class, discarded::add)), 0)
                .thenRequest(1)
                .then(() -> input.next("a\nb\nc\n"))
                .expectNext("a")
                .thenCancel()
                .verify(VERIFY);
        assertThat(discarded).as("lines decoded but never requested").hasSize(2);
    }
}
