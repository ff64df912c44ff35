package io.flowsock.reactive;

import static io.flowsock.reactive.FramesTest.TIMEOUT;
import static io.flowsock.reactive.FramesTest.buf;
import static io.flowsock.reactive.FramesTest.bytesBuf;
import static io.flowsock.reactive.FramesTest.describe;
import static io.flowsock.reactive.FramesTest.oneBytePerBuffer;
import static io.flowsock.reactive.FramesTest.pieces;
import static io.flowsock.reactive.FramesTest.randomPieces;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class StringsTest {
    private static final String SAMPLE = "aé€𝄞b\r\n€";

    // ---- decodeUtf8: splitting ----

    @Test
    void decodeUtf8GivesTheSameTextForEveryOneAndTwoSplitPositions() {
        byte[] bytes = SAMPLE.getBytes(UTF_8);
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j++) {
                assertDecodes(pieces(bytes, i, j), SAMPLE);
            }
        }
    }

    @Test
    void decodeUtf8GivesTheSameTextForOneBytePerBuffer() {
        assertDecodes(oneBytePerBuffer(SAMPLE.getBytes(UTF_8)), SAMPLE);
    }

    @Test
    void decodeUtf8EmitsACharacterSplitOverFourBuffersOnceWhenItCompletes() {
        StepVerifier.create(Strings.decodeUtf8(Flux.fromIterable(oneBytePerBuffer("𝄞".getBytes(UTF_8)))))
                .expectNext("𝄞")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(Strings.decodeUtf8(Flux.just(bytesBuf('a', 0xE2), bytesBuf(0x82), bytesBuf(0xAC, 'b'))))
                .expectNext("a", "€b")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void decodeUtf8MatchesNewStringForMalformedAndTruncatedInputAtEverySplit() {
        int[][] samples = {
            {0xE2, 0x82},                   // truncated at the end
            {0xF0, 0x9D, 0x84},             // truncated 4-byte character
            {0xC3, 'A'},                    // lead byte without continuation
            {0x80, 'x', 0xBF},              // lone continuation bytes
            {0xC0, 0x80},                   // overlong encoding
            {0xED, 0xA0, 0x80, 'z'},        // encoded surrogate
            {0xF4, 0x90, 0x80, 0x80},       // beyond U+10FFFF
            {0xF0, 0x80, 0x80, 0x80, 'q'},  // overlong 4-byte
            {0xE2, 0x82, 'A', 0xE2},        // cut then restarted, then cut at the end
            {0xFF, 0xFE, 'o', 'k'},
        };
        for (int[] sample : samples) {
            byte[] bytes = bytesBuf(sample).array();
            String expected = new String(bytes, UTF_8);
            for (int i = 0; i <= bytes.length; i++) {
                for (int j = i; j <= bytes.length; j++) {
                    assertDecodes(pieces(bytes, i, j), expected);
                }
            }
        }
        assertEquals("\uFFFD", new String(new byte[] {(byte) 0xE2, (byte) 0x82}, UTF_8));
        StepVerifier.create(Strings.decodeUtf8(Flux.just(bytesBuf('a', 0xE2), bytesBuf(0x82))))
                .expectNext("a", "\uFFFD")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void decodeUtf8MatchesNewStringForRandomBytesAndSplits() {
        Random random = new Random(31337);
        int[] interesting = {0x00, 'a', '\n', 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF,
            0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
        for (int iteration = 0; iteration < 500; iteration++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256)
                        : interesting[random.nextInt(interesting.length)]);
            }
            assertDecodes(randomPieces(bytes, random), new String(bytes, UTF_8));
        }
    }

    @Test
    void decodeUtf8RoundTripsRandomTextWithEncodeUtf8() {
        Random random = new Random(5);
        for (int iteration = 0; iteration < 200; iteration++) {
            StringBuilder text = new StringBuilder();
            int count = random.nextInt(20);
            for (int c = 0; c < count; c++) {
                text.appendCodePoint(randomCodePoint(random));
            }
            byte[] wire = FramesTest.join(Strings.encodeUtf8(Flux.just(text)));
            assertDecodes(randomPieces(wire, random), text.toString());
        }
    }

    // ---- decodeUtf8: backpressure, inputs, arguments ----

    @Test
    void decodeUtf8EmitsOneStringPerRequestAndAsksForInputOnlyOnDemand() {
        TestPublisher<ByteBuffer> input = TestPublisher.create();
        StepVerifier.create(Strings.decodeUtf8(input), 0)
                .expectSubscription()
                .then(input::assertWasNotRequested)
                .thenRequest(1)
                .then(() -> input.next(buf("ab")))
                .expectNext("ab")
                .then(() -> input.assertMaxRequested(0))
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(2)
                .then(() -> input.next(buf("c"), buf("d")))
                .expectNext("c", "d")
                .then(() -> input.assertMaxRequested(0))
                .then(input::complete)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void decodeUtf8LeavesInputsUntouched() {
        byte[] backing = "XXé€YY".getBytes(UTF_8);      // é is 2 bytes, € is 3
        ByteBuffer first = ByteBuffer.wrap(backing, 2, 3);  // é and the first byte of €
        ByteBuffer second = ByteBuffer.wrap(backing, 5, 2).asReadOnlyBuffer();
        List<ByteBuffer> inputs = List.of(first, second);
        List<String> before = describe(inputs);
        StepVerifier.create(Strings.decodeUtf8(Flux.fromIterable(inputs)))
                .expectNext("é", "€")
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(before, describe(inputs));
        assertArrayEquals("XXé€YY".getBytes(UTF_8), backing);
    }

    @Test
    void everyOperatorChecksItsArgumentsInTheCall() {
        FramesTest.assertNpe(() -> Strings.decodeUtf8(null));
        FramesTest.assertNpe(() -> Strings.encodeUtf8(null));
        FramesTest.assertNpe(() -> Strings.lines(null, 10));
        FramesTest.assertIae("maxLineLength must be >= 1, was 0", () -> Strings.lines(Flux.empty(), 0));
    }

    // ---- encodeUtf8 ----

    @Test
    void encodeUtf8GivesOneFreshRightSizedBufferPerSequence() {
        StepVerifier.create(Strings.encodeUtf8(Flux.just("é€𝄞", new StringBuilder("ab"), "")).map(FramesTest::bytes))
                .assertNext(b -> assertArrayEquals(new byte[] {(byte) 0xC3, (byte) 0xA9, (byte) 0xE2, (byte) 0x82,
                    (byte) 0xAC, (byte) 0xF0, (byte) 0x9D, (byte) 0x84, (byte) 0x9E}, b))
                .assertNext(b -> assertArrayEquals(new byte[] {'a', 'b'}, b))
                .assertNext(b -> assertEquals(0, b.length))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void encodeUtf8WritesAnUnpairedSurrogateAsQuestionMark() {
        StepVerifier.create(Strings.encodeUtf8(Flux.just("a\uD834b")).map(FramesTest::bytes))
                .assertNext(b -> assertArrayEquals(new byte[] {'a', '?', 'b'}, b))
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- lines ----

    @Test
    void linesGivesTheSameStringsForEverySplitAndOneBytePerBuffer() {
        byte[] bytes = "héllo\r\n\n€𝄞\nend".getBytes(UTF_8);
        List<String> expected = List.of("héllo", "", "€𝄞", "end");
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j++) {
                assertLines(pieces(bytes, i, j), expected);
            }
        }
        assertLines(oneBytePerBuffer(bytes), expected);
    }

    @Test
    void linesDecodesEachLineOnItsOwnSoACutCharacterDoesNotJoinTheNextLine() {
        // E2 | '\n' | 82 AC: without the line break these would be one broken '€'
        List<ByteBuffer> input = List.of(bytesBuf(0xE2, '\n', 0x82), bytesBuf(0xAC, '\n'));
        assertLines(input, List.of("\uFFFD", new String(new byte[] {(byte) 0x82, (byte) 0xAC}, UTF_8)));
        assertEquals("\uFFFD\uFFFD", new String(new byte[] {(byte) 0x82, (byte) 0xAC}, UTF_8));
    }

    @Test
    void linesFailsForALineLongerThanMaxBytes() {
        // four chars but eight bytes
        StepVerifier.create(Strings.lines(Flux.just(buf("€€\n€€€€\n")), 7))
                .expectNext("€€")
                .expectErrorSatisfies(e -> {
                    assertEquals(FrameTooLongException.class, e.getClass());
                    assertEquals(8, ((FrameTooLongException) e).length());
                    assertEquals(7, ((FrameTooLongException) e).maxLength());
                })
                .verify(TIMEOUT);
    }

    @Test
    void linesEmitsOneLinePerRequest() {
        StepVerifier.create(Strings.lines(Flux.just(buf("x\ny\nz\n")), 10), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext("x")
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(1)
                .expectNext("y")
                .thenRequest(1)
                .expectNext("z")
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- helpers ----

    /** Decodes the pieces; the Strings must join to {@code expected}, none empty, at most one per piece plus one. */
    private static void assertDecodes(List<ByteBuffer> input, String expected) {
        List<String> strings = new ArrayList<>();
        StepVerifier.create(Strings.decodeUtf8(Flux.fromIterable(input)))
                .as("decoding " + describe(input))
                .recordWith(() -> strings)
                .thenConsumeWhile(s -> true)
                .expectComplete()
                .verify(TIMEOUT);
        assertEquals(expected, String.join("", strings), () -> "decoding " + describe(input));
        assertFalse(strings.contains(""), "no empty Strings");
        assertTrue(strings.size() <= input.size() + 1, "at most one String per buffer, and one at completion");
    }

    private static void assertLines(List<ByteBuffer> input, List<String> expected) {
        StepVerifier.create(Strings.lines(Flux.fromIterable(input), 100))
                .as("lines of " + describe(input))
                .expectNextSequence(expected)
                .expectComplete()
                .verify(TIMEOUT);
    }

    private static int randomCodePoint(Random random) {
        switch (random.nextInt(4)) {
            case 0:
                return 0x20 + random.nextInt(0x5F);
            case 1:
                return 0x80 + random.nextInt(0x780);
            case 2:
                int c = 0x800 + random.nextInt(0xF800);
                return Character.isSurrogate((char) c) ? 'S' : c;
            default:
                return 0x10000 + random.nextInt(0x100000);
        }
    }
}
