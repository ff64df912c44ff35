package io.flowsock.reactive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.flowsock.core.FlowsockException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class FramesTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    // "hello", "", "world", "é€𝄞", "", "a\rb", then an unterminated "last"
    private static final String SAMPLE = "hello\r\n\nworld\né€𝄞\r\n\r\na\rb\nlast";
    private static final List<String> SAMPLE_LINES = List.of("hello", "", "world", "é€𝄞", "", "a\rb", "last");

    // ---- decodeLines: splitting ----

    @Test
    void decodeLinesGivesTheSameLinesForEveryOneAndTwoSplitPositions() {
        byte[] bytes = SAMPLE.getBytes(UTF_8);
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j++) {
                verifyLines(pieces(bytes, i, j), 1024, SAMPLE_LINES);
            }
        }
    }

    @Test
    void decodeLinesGivesTheSameLinesForOneBytePerBuffer() {
        verifyLines(oneBytePerBuffer(SAMPLE.getBytes(UTF_8)), 1024, SAMPLE_LINES);
    }

    @Test
    void decodeLinesGivesTheSameLinesForRandomSplits() {
        Random random = new Random(20240611);
        String[] tokens = {"a", "bc", "\n", "\r\n", "\r", "é", "€", "𝄞", "xyz", "\n\n"};
        for (int iteration = 0; iteration < 300; iteration++) {
            StringBuilder text = new StringBuilder();
            int count = random.nextInt(30);
            for (int t = 0; t < count; t++) {
                text.append(tokens[random.nextInt(tokens.length)]);
            }
            byte[] bytes = text.toString().getBytes(UTF_8);
            verifyLines(randomPieces(bytes, random), 1024, referenceLines(text.toString()));
        }
    }

    @Test
    void decodeLinesEmitsNothingForAnEmptyStreamOrEmptyBuffers() {
        StepVerifier.create(Frames.decodeLines(Flux.empty(), 10)).expectComplete().verify(TIMEOUT);
        StepVerifier.create(Frames.decodeLines(Flux.just(ByteBuffer.allocate(0), ByteBuffer.allocate(0)), 10))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void decodeLinesKeepsATrailingCarriageReturnWithoutLineFeedAtCompletion() {
        verifyLines(List.of(buf("ab\r")), 10, List.of("ab\r"));
    }

    @Test
    void decodeLinesAcceptsALineOfExactlyMaxLengthWithEitherDelimiter() {
        byte[] bytes = "abcde\r\nfghij\nklmno".getBytes(UTF_8);
        for (int i = 0; i <= bytes.length; i++) {
            verifyLines(pieces(bytes, i), 5, List.of("abcde", "fghij", "klmno"));
        }
    }

    // ---- decodeLines: over-long lines ----

    @Test
    void decodeLinesFailsAtTheFirstByteBeyondMaxAfterTheLinesBeforeItForEverySplit() {
        byte[] bytes = "ab\nabcdefgh\nzz\n".getBytes(UTF_8);
        for (int i = 0; i <= bytes.length; i++) {
            StepVerifier.create(Frames.decodeLines(Flux.fromIterable(pieces(bytes, i)), 5).map(FramesTest::text))
                    .expectNext("ab")
                    .expectErrorSatisfies(e -> assertTooLong(e, 6, 5))
                    .verify(TIMEOUT);
        }
    }

    @Test
    void decodeLinesFailsOneByteLaterWhenTheByteBeyondMaxIsACarriageReturnNotFollowedByLineFeed() {
        byte[] bytes = "abcde\rx\n".getBytes(UTF_8);
        for (int i = 0; i <= bytes.length; i++) {
            StepVerifier.create(Frames.decodeLines(Flux.fromIterable(pieces(bytes, i)), 5))
                    .expectErrorSatisfies(e -> assertTooLong(e, 7, 5))
                    .verify(TIMEOUT);
        }
    }

    @Test
    void decodeLinesFailsAtCompletionForAnUnterminatedLineOfMaxPlusOneEndingInCarriageReturn() {
        StepVerifier.create(Frames.decodeLines(Flux.just(buf("abcde\r")), 5))
                .expectErrorSatisfies(e -> assertTooLong(e, 6, 5))
                .verify(TIMEOUT);
    }

    @Test
    void decodeLinesFailsAsSoonAsMaxPlusOneBytesArriveWithoutNewlineAndCancelsTheInput() {
        TestPublisher<ByteBuffer> input = TestPublisher.create();
        StepVerifier.create(Frames.decodeLines(input, 4))
                .then(() -> input.next(buf("ab"), buf("cd")))
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> input.next(buf("e")))
                .expectErrorSatisfies(e -> assertTooLong(e, 5, 4))
                .verify(TIMEOUT);
        input.assertCancelled();
    }

    // ---- decodeLines: backpressure, laziness, errors, inputs ----

    @Test
    void decodeLinesEmitsOneLinePerRequestAndAsksForNoInputWhileALineWaits() {
        TestPublisher<ByteBuffer> input = TestPublisher.create();
        StepVerifier.create(Frames.decodeLines(input, 10).map(FramesTest::text), 0)
                .expectSubscription()
                .then(input::assertWasNotRequested)
                .thenRequest(1)
                .then(() -> input.assertMaxRequested(1))
                .then(() -> input.next(buf("a\nb\nc\nd")))
                .expectNext("a")
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> input.assertMaxRequested(0))
                .thenRequest(1)
                .expectNext("b")
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(5)
                .expectNext("c")
                .then(() -> input.assertMinRequested(1).assertMaxRequested(1))
                .then(input::complete)
                .expectNext("d")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void decodeLinesDoesNothingUntilSubscribedAndKeepsStatePerSubscription() {
        AtomicInteger subscriptions = new AtomicInteger();
        Flux<ByteBuffer> source = Flux.defer(() -> {
            subscriptions.incrementAndGet();
            return Flux.just(buf("ab\ncd"));
        });
        Flux<String> lines = Frames.decodeLines(source, 10).map(FramesTest::text);
        assertEquals(0, subscriptions.get());
        StepVerifier.create(lines).expectNext("ab", "cd").expectComplete().verify(TIMEOUT);
        StepVerifier.create(lines).expectNext("ab", "cd").expectComplete().verify(TIMEOUT);
        assertEquals(2, subscriptions.get());
    }

    @Test
    void decodeLinesDeliversCompleteLinesThenTheInputErrorDroppingThePartialLine() {
        IllegalStateException failure = new IllegalStateException("reset");
        Flux<ByteBuffer> source = Flux.concat(Flux.just(buf("a\nb")), Flux.error(failure));
        StepVerifier.create(Frames.decodeLines(source, 10).map(FramesTest::text))
                .expectNext("a")
                .expectErrorSatisfies(e -> assertSame(failure, e))
                .verify(TIMEOUT);
    }

    @Test
    void decodeLinesCancelsTheInputWhenTheSubscriberCancels() {
        TestPublisher<ByteBuffer> input = TestPublisher.create();
        StepVerifier.create(Frames.decodeLines(input, 10).map(FramesTest::text).take(1))
                .then(() -> input.next(buf("a\nb\n")))
                .expectNext("a")
                .expectComplete()
                .verify(TIMEOUT);
        input.assertCancelled();
    }

    @Test
    void decodeLinesFailsARequestBelowOneAndCancelsTheInput() {
        TestPublisher<ByteBuffer> input = TestPublisher.create();
        StepVerifier.create(Frames.decodeLines(input, 10), 0)
                .consumeSubscriptionWith(s -> s.request(0))
                .expectErrorSatisfies(e -> {
                    assertEquals(IllegalArgumentException.class, e.getClass());
                    assertEquals("request must be > 0 (rule 3.9), was 0", e.getMessage());
                })
                .verify(TIMEOUT);
        input.assertCancelled();
    }

    @Test
    void decodeLinesLeavesInputsUntouchedAndHonoursTheirPositionAndLimit() {
        byte[] backing = "XXa\nbc\r\ndYY".getBytes(UTF_8);
        ByteBuffer window = ByteBuffer.wrap(backing, 2, 7);        // "a\nbc\r\nd"
        ByteBuffer slice = ByteBuffer.wrap("ZZe\nf".getBytes(UTF_8), 1, 4).slice(); // "Ze\nf", arrayOffset 1
        slice.position(1);                                         // "e\nf"
        ByteBuffer readOnly = buf("\ng\n").asReadOnlyBuffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(3).put(buf("h\ni")).flip();
        List<ByteBuffer> inputs = List.of(window, slice, readOnly, direct);
        List<String> before = describe(inputs);
        byte[] backingBefore = backing.clone();

        verifyLines(inputs, 10, List.of("a", "bc", "de", "f", "g", "h", "i"));

        assertEquals(before, describe(inputs));
        assertArrayEquals(backingBefore, backing);
    }

    // ---- encodeLines ----

    @Test
    void encodeLinesAppendsLineFeedInAFreshRightSizedBufferPerInput() {
        ByteBuffer line = ByteBuffer.wrap("XabcY".getBytes(UTF_8), 1, 3);
        StepVerifier.create(Frames.encodeLines(Flux.just(line, buf("")), 10).map(FramesTest::text))
                .expectNext("abc\n", "\n")
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(1, line.position());
        assertEquals(4, line.limit());
    }

    @Test
    void encodeLinesFailsForALineLongerThanMax() {
        StepVerifier.create(Frames.encodeLines(Flux.just(buf("abcde"), buf("abcdef")), 5).map(FramesTest::text))
                .expectNext("abcde\n")
                .expectErrorSatisfies(e -> assertTooLong(e, 6, 5))
                .verify(TIMEOUT);
    }

    @Test
    void encodeLinesFailsForALineContainingLineFeedNamingWhere() {
        StepVerifier.create(Frames.encodeLines(Flux.just(buf("ab\ncd")), 10))
                .expectErrorSatisfies(e -> {
                    assertEquals(IllegalArgumentException.class, e.getClass());
                    assertEquals("line contains '\\n' at index 2 of 5 bytes", e.getMessage());
                })
                .verify(TIMEOUT);
    }

    @Test
    void encodeLinesFailsForALineEndingInCarriageReturnThatDecodingWouldDrop() {
        StepVerifier.create(Frames.encodeLines(Flux.just(buf("ab\r")), 10))
                .expectErrorSatisfies(e -> {
                    assertEquals(IllegalArgumentException.class, e.getClass());
                    assertEquals("line ends with '\\r', which decodeLines would drop", e.getMessage());
                })
                .verify(TIMEOUT);
    }

    @Test
    void encodedLinesDecodeToTheSameLinesForRandomLinesAndSplits() {
        Random random = new Random(7);
        for (int iteration = 0; iteration < 200; iteration++) {
            List<String> lines = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int l = 0; l < count; l++) {
                lines.add(randomLine(random));
            }
            Flux<ByteBuffer> encoded = Frames.encodeLines(Flux.fromIterable(lines).map(FramesTest::buf), 64);
            byte[] wire = join(encoded);
            verifyLines(randomPieces(wire, random), 64, lines);
        }
    }

    // ---- decodeLengthPrefixed ----

    @Test
    void decodeLengthPrefixedGivesTheSameFramesForEveryOneAndTwoSplitPositions() {
        for (int prefixBytes : new int[] {1, 2, 4}) {
            List<String> frames = List.of("é€𝄞", "", "hello", "\n\r\n");
            byte[] wire = lengthPrefixed(prefixBytes, frames);
            for (int i = 0; i <= wire.length; i++) {
                for (int j = i; j <= wire.length; j++) {
                    verifyFrames(pieces(wire, i, j), prefixBytes, 100, frames);
                }
            }
            verifyFrames(oneBytePerBuffer(wire), prefixBytes, 100, frames);
        }
    }

    @Test
    void decodeLengthPrefixedReadsTheLengthAsBigEndianUnsigned() {
        byte[] body = new byte[300];
        Arrays.fill(body, (byte) 'x');
        byte[] wire = concat(new byte[] {0x01, 0x2C}, body);   // 0x012C = 300
        StepVerifier.create(Frames.decodeLengthPrefixed(Flux.fromIterable(oneBytePerBuffer(wire)), 2, 300)
                        .map(FramesTest::bytes))
                .assertNext(frame -> assertArrayEquals(body, frame))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(Frames.decodeLengthPrefixed(Flux.just(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0, 0, 0, 0})), 4, 10))
                .expectErrorSatisfies(e -> assertTooLong(e, 0xFF000000L, 10))
                .verify(TIMEOUT);
    }

    @Test
    void decodeLengthPrefixedGivesTheSameFramesForRandomFramesAndSplits() {
        Random random = new Random(99);
        for (int iteration = 0; iteration < 300; iteration++) {
            int prefixBytes = new int[] {1, 2, 4}[random.nextInt(3)];
            List<String> frames = new ArrayList<>();
            int count = random.nextInt(6);
            for (int f = 0; f < count; f++) {
                frames.add(randomLine(random) + (random.nextBoolean() ? "\n" : ""));
            }
            byte[] wire = join(Frames.encodeLengthPrefixed(Flux.fromIterable(frames).map(FramesTest::buf), prefixBytes, 200));
            assertArrayEquals(lengthPrefixed(prefixBytes, frames), wire);
            verifyFrames(randomPieces(wire, random), prefixBytes, 200, frames);
        }
    }

    @Test
    void decodeLengthPrefixedFailsRightAfterAPrefixAnnouncingTooMuchWithoutWaitingForCompletion() {
        TestPublisher<ByteBuffer> input = TestPublisher.create();   // never completed
        StepVerifier.create(Frames.decodeLengthPrefixed(input, 4, 1024))
                .then(() -> input.next(bytesBuf(0x7F), bytesBuf(0xFF, 0xFF)))
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> input.next(bytesBuf(0xFF)))
                .expectErrorSatisfies(e -> assertTooLong(e, 0x7FFFFFFFL, 1024))
                .verify(TIMEOUT);
        input.assertCancelled();
    }

    @Test
    void decodeLengthPrefixedAcceptsAFrameOfExactlyMaxAndRejectsOneMore() {
        verifyFrames(List.of(bytesBuf(3, 'a', 'b', 'c')), 1, 3, List.of("abc"));
        StepVerifier.create(Frames.decodeLengthPrefixed(Flux.just(bytesBuf(4, 'a', 'b', 'c', 'd')), 1, 3))
                .expectErrorSatisfies(e -> assertTooLong(e, 4, 3))
                .verify(TIMEOUT);
    }

    @Test
    void decodeLengthPrefixedFailsAtCompletionInsideABodyNamingTheMissingBytes() {
        for (List<ByteBuffer> input : List.of(
                List.of(bytesBuf(0, 0, 0, 10, 1, 2, 3)),
                List.of(bytesBuf(0, 0), bytesBuf(0, 10, 1), bytesBuf(2), bytesBuf(3)))) {
            StepVerifier.create(Frames.decodeLengthPrefixed(Flux.fromIterable(input), 4, 100))
                    .expectErrorSatisfies(e -> {
                        assertEquals(FlowsockException.class, e.getClass());
                        assertEquals("stream ended inside a frame: 3 of 10 bytes (7 missing)", e.getMessage());
                    })
                    .verify(TIMEOUT);
        }
    }

    @Test
    void decodeLengthPrefixedFailsAtCompletionInsideAPrefixAfterTheCompleteFrames() {
        StepVerifier.create(Frames.decodeLengthPrefixed(Flux.just(bytesBuf(0, 1, 'a', 0)), 2, 100).map(FramesTest::text))
                .expectNext("a")
                .expectErrorSatisfies(e -> {
                    assertEquals(FlowsockException.class, e.getClass());
                    assertEquals("stream ended inside a length prefix: 1 of 2 bytes (1 missing)", e.getMessage());
                })
                .verify(TIMEOUT);
    }

    @Test
    void decodeLengthPrefixedEmitsOneFramePerRequestFromOneBufferHoldingMany() {
        ByteBuffer wire = ByteBuffer.wrap(lengthPrefixed(1, List.of("a", "bb", "ccc")));
        StepVerifier.create(Frames.decodeLengthPrefixed(Flux.just(wire), 1, 10).map(FramesTest::text), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext("a")
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext("bb")
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext("ccc")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void decodeLengthPrefixedLeavesInputsUntouched() {
        byte[] backing = {9, 9, 0, 2, 'a', 'b', 0, 9};
        ByteBuffer first = ByteBuffer.wrap(backing, 2, 5);          // 0 2 a b 0
        ByteBuffer second = bytesBuf(1, 'c').asReadOnlyBuffer();
        List<ByteBuffer> inputs = List.of(first, second);
        List<String> before = describe(inputs);
        verifyFrames(inputs, 2, 10, List.of("ab", "c"));
        assertEquals(before, describe(inputs));
        assertArrayEquals(new byte[] {9, 9, 0, 2, 'a', 'b', 0, 9}, backing);
    }

    // ---- encodeLengthPrefixed ----

    @Test
    void encodeLengthPrefixedWritesABigEndianPrefixOfEachSize() {
        ByteBuffer body = ByteBuffer.wrap("XabcX".getBytes(UTF_8), 1, 3);
        StepVerifier.create(Frames.encodeLengthPrefixed(Flux.just(body, buf("")), 1, 10).map(FramesTest::bytes))
                .assertNext(b -> assertArrayEquals(new byte[] {3, 'a', 'b', 'c'}, b))
                .assertNext(b -> assertArrayEquals(new byte[] {0}, b))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(Frames.encodeLengthPrefixed(Flux.just(body), 2, 10).map(FramesTest::bytes))
                .assertNext(b -> assertArrayEquals(new byte[] {0, 3, 'a', 'b', 'c'}, b))
                .expectComplete()
                .verify(TIMEOUT);
        byte[] big = new byte[0x010203];
        StepVerifier.create(Frames.encodeLengthPrefixed(Flux.just(ByteBuffer.wrap(big)), 4, big.length).map(FramesTest::bytes))
                .assertNext(b -> {
                    assertEquals(4 + big.length, b.length);
                    assertArrayEquals(new byte[] {0, 1, 2, 3}, Arrays.copyOf(b, 4));
                })
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(1, body.position());
        assertEquals(4, body.limit());
    }

    @Test
    void encodeLengthPrefixedFailsForAFrameTheOneBytePrefixCannotExpress() {
        StepVerifier.create(Frames.encodeLengthPrefixed(Flux.just(ByteBuffer.allocate(255), ByteBuffer.allocate(300)), 1, 1000))
                .assertNext(b -> assertEquals(256, b.remaining()))
                .expectErrorSatisfies(e -> assertTooLong(e, 300, 255))
                .verify(TIMEOUT);
        StepVerifier.create(Frames.encodeLengthPrefixed(Flux.just(ByteBuffer.allocate(65536)), 2, 100_000))
                .expectErrorSatisfies(e -> assertTooLong(e, 65536, 65535))
                .verify(TIMEOUT);
    }

    @Test
    void encodeLengthPrefixedFailsForAFrameLongerThanMax() {
        StepVerifier.create(Frames.encodeLengthPrefixed(Flux.just(ByteBuffer.allocate(11)), 4, 10))
                .expectErrorSatisfies(e -> assertTooLong(e, 11, 10))
                .verify(TIMEOUT);
    }

    // ---- large frames, threads ----

    @Test
    void decodersReassembleLargeFramesCutIntoManySmallBuffers() {
        byte[] body = new byte[100_000];
        new Random(3).nextBytes(body);
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n' || body[i] == '\r') {
                body[i] = 'n';
            }
        }
        byte[] lines = concat(concat(body, new byte[] {'\n'}), concat(body, new byte[] {'\r', '\n'}));
        StepVerifier.create(Frames.decodeLines(Flux.fromIterable(randomSizedPieces(lines, 1000)), body.length)
                        .map(FramesTest::bytes))
                .assertNext(line -> assertArrayEquals(body, line))
                .assertNext(line -> assertArrayEquals(body, line))
                .expectComplete()
                .verify(TIMEOUT);
        byte[] frames = concat(concat(new byte[] {0, 1, (byte) 0x86, (byte) 0xA0}, body),
                concat(new byte[] {0, 1, (byte) 0x86, (byte) 0xA0}, body));   // 0x0186A0 = 100000
        StepVerifier.create(Frames.decodeLengthPrefixed(Flux.fromIterable(randomSizedPieces(frames, 1000)), 4, body.length)
                        .map(FramesTest::bytes))
                .assertNext(frame -> assertArrayEquals(body, frame))
                .assertNext(frame -> assertArrayEquals(body, frame))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void decodeLinesKeepsOrderWhenInputAndRequestsComeFromDifferentThreads() {
        int count = 20_000;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(i).append(i % 3 == 0 ? "\r\n" : "\n");
        }
        List<ByteBuffer> input = randomPieces(text.toString().getBytes(UTF_8), new Random(11));
        Flux<Integer> numbers = Frames.decodeLines(
                        Flux.fromIterable(input).subscribeOn(Schedulers.single()).publishOn(Schedulers.parallel(), 4), 10)
                .map(line -> Integer.parseInt(text(line)))
                .publishOn(Schedulers.boundedElastic(), 2);
        StepVerifier.create(numbers)
                .expectNextSequence(IntStream.range(0, count).boxed().collect(Collectors.toList()))
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    // ---- arguments ----

    @Test
    void everyOperatorChecksItsArgumentsInTheCall() {
        Flux<ByteBuffer> in = Flux.empty();
        assertNpe(() -> Frames.decodeLines(null, 10));
        assertNpe(() -> Frames.encodeLines(null, 10));
        assertNpe(() -> Frames.decodeLengthPrefixed(null, 4, 10));
        assertNpe(() -> Frames.encodeLengthPrefixed(null, 4, 10));
        assertIae("maxLineLength must be >= 1, was 0", () -> Frames.decodeLines(in, 0));
        assertIae("maxLineLength must be >= 1, was -5", () -> Frames.encodeLines(in, -5));
        assertIae("maxFrameLength must be >= 1, was 0", () -> Frames.decodeLengthPrefixed(in, 4, 0));
        assertIae("maxFrameLength must be >= 1, was -1", () -> Frames.encodeLengthPrefixed(in, 2, -1));
        assertIae("prefixBytes must be 1, 2 or 4, was 3", () -> Frames.decodeLengthPrefixed(in, 3, 10));
        assertIae("prefixBytes must be 1, 2 or 4, was 0", () -> Frames.encodeLengthPrefixed(in, 0, 10));
        assertIae("prefixBytes must be 1, 2 or 4, was 8", () -> Frames.decodeLengthPrefixed(in, 8, 10));
    }

    // ---- helpers, shared with StringsTest ----

    static ByteBuffer buf(String text) {
        return ByteBuffer.wrap(text.getBytes(UTF_8));
    }

    static ByteBuffer bytesBuf(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(bytes);
    }

    /** {@code bytes} cut at the given ascending positions; cuts may repeat, giving empty buffers. */
    static List<ByteBuffer> pieces(byte[] bytes, int... cuts) {
        List<ByteBuffer> pieces = new ArrayList<>();
        int start = 0;
        for (int cut : cuts) {
            pieces.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, start, cut)));
            start = cut;
        }
        pieces.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, start, bytes.length)));
        return pieces;
    }

    static List<ByteBuffer> oneBytePerBuffer(byte[] bytes) {
        List<ByteBuffer> pieces = new ArrayList<>();
        for (byte b : bytes) {
            pieces.add(ByteBuffer.wrap(new byte[] {b}));
        }
        return pieces;
    }

    /** {@code bytes} cut into pieces of 0 to 7 bytes. */
    static List<ByteBuffer> randomPieces(byte[] bytes, Random random) {
        List<ByteBuffer> pieces = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = Math.min(bytes.length, start + random.nextInt(8));
            pieces.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, start, end)));
            start = end;
        }
        return pieces;
    }

    /** The bytes of an emitted buffer, after checking it is a fresh right-sized heap buffer. */
    static byte[] bytes(ByteBuffer emitted) {
        assertTrue(emitted.hasArray(), "heap buffer");
        assertEquals(0, emitted.position(), "position");
        assertEquals(emitted.capacity(), emitted.remaining(), "capacity == remaining");
        assertEquals(0, emitted.arrayOffset(), "arrayOffset");
        return emitted.array();
    }

    static String text(ByteBuffer emitted) {
        return new String(bytes(emitted), UTF_8);
    }

    /** Position, limit and content of each buffer, to compare before and after. */
    static List<String> describe(List<ByteBuffer> buffers) {
        List<String> described = new ArrayList<>();
        for (ByteBuffer b : buffers) {
            byte[] content = new byte[b.remaining()];
            b.duplicate().get(content);
            described.add(b.position() + ":" + b.limit() + ":" + Arrays.toString(content));
        }
        return described;
    }

    static byte[] join(Publisher<ByteBuffer> buffers) {
        List<byte[]> parts = Flux.from(buffers).map(FramesTest::bytes).collectList().block(TIMEOUT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** {@code bytes} cut into pieces of 1 to {@code max} bytes, seeded so a failure repeats. */
    private static List<ByteBuffer> randomSizedPieces(byte[] bytes, int max) {
        Random random = new Random(bytes.length);
        List<ByteBuffer> pieces = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = Math.min(bytes.length, start + 1 + random.nextInt(max));
            pieces.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, start, end)));
            start = end;
        }
        return pieces;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void verifyLines(List<ByteBuffer> input, int maxLineLength, List<String> expected) {
        verify(Frames.decodeLines(Flux.fromIterable(input), maxLineLength), expected, input);
    }

    private static void verifyFrames(List<ByteBuffer> input, int prefixBytes, int max, List<String> expected) {
        verify(Frames.decodeLengthPrefixed(Flux.fromIterable(input), prefixBytes, max), expected, input);
    }

    private static void verify(Flux<ByteBuffer> decoded, List<String> expected, List<ByteBuffer> input) {
        StepVerifier.create(decoded.map(FramesTest::text))
                .as("decoding " + describe(input))
                .expectNextSequence(expected)
                .expectComplete()
                .verify(TIMEOUT);
    }

    /** The lines of {@code text} by a plain reading of the rules, to check the decoder against. */
    private static List<String> referenceLines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            String line = text.substring(start, nl);
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            start = nl + 1;
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    private static byte[] lengthPrefixed(int prefixBytes, List<String> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String frame : frames) {
            byte[] body = frame.getBytes(UTF_8);
            for (int shift = 8 * (prefixBytes - 1); shift >= 0; shift -= 8) {
                out.write(body.length >>> shift);
            }
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** A line without '\n' and not ending in '\r', of 0 to about 20 bytes. */
    private static String randomLine(Random random) {
        String[] tokens = {"a", "\r", "é", "€", "𝄞", " ", "xyz"};
        StringBuilder line = new StringBuilder();
        int count = random.nextInt(6);
        for (int t = 0; t < count; t++) {
            line.append(tokens[random.nextInt(tokens.length)]);
        }
        return line.toString().endsWith("\r") ? line + "z" : line.toString();
    }

    private static void assertTooLong(Throwable e, long length, int maxLength) {
        assertEquals(FrameTooLongException.class, e.getClass(), () -> "unexpected " + e);
        FrameTooLongException tooLong = (FrameTooLongException) e;
        assertEquals(length, tooLong.length(), "length");
        assertEquals(maxLength, tooLong.maxLength(), "maxLength");
    }

    static void assertNpe(Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals("in", e.getMessage());
    }

    static void assertIae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }
}
