package io.flowsock.reactive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.FlowsockException;
import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Properties of the framing and UTF-8 decoders, by jqwik: valid streams cut anywhere decode to
 * what was encoded; garbage cut anywhere ends the same way as uncut garbage, with nothing but
 * the documented exceptions; an announced length above the maximum fails before anything of
 * that size is allocated.
 *
 * <p>Each decode runs on another thread and is awaited for at most {@link #BOUND}, so a decoder
 * that looped would fail the property rather than hang the build. Tries are capped so the whole
 * class runs in a few seconds.
 */
class FramingPropertiesTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final int TRIES = 300;

    // ------------------------------------------------------------------ lines

    @Property(tries = TRIES)
    void linesCutAnywhereDecodeToTheLinesSent(@ForAll("lines") List<Line> lines,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 64) Integer> cuts) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (Line l : lines) {
            stream.writeBytes(l.body());
            stream.writeBytes(l.crLf() ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        }
        Outcome<ByteBuffer> out = decode(in -> Frames.decodeLines(in, 128), stream.toByteArray(), cuts);

        assertThat(out.error()).isNull();
        assertThat(out.values()).extracting(FramingPropertiesTest::bytes)
                .containsExactlyElementsOf(lines.stream().map(Line::body).toList());
    }

    @Property(tries = TRIES)
    void linesOfGarbageEndAlikeHoweverCut(@ForAll("garbage") byte[] data,
            @ForAll @IntRange(min = 1, max = 80) int maxLineLength,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 64) Integer> cuts) {
        Function<Flux<ByteBuffer>, Flux<ByteBuffer>> op = in -> Frames.decodeLines(in, maxLineLength);
        Outcome<ByteBuffer> whole = decode(op, data, List.of(Math.max(1, data.length)));
        Outcome<ByteBuffer> cut = decode(op, data, cuts);

        assertSameOutcome(cut, whole);
        if (whole.error() != null) {
            assertThat(whole.error()).isInstanceOf(FrameTooLongException.class);
            assertThat(((FrameTooLongException) whole.error()).maxLength()).isEqualTo(maxLineLength);
        }
        assertThat(whole.values()).allSatisfy(line -> assertThat(line.remaining()).isLessThanOrEqualTo(maxLineLength + 1));
    }

    // ------------------------------------------------------------------ length prefixed

    @Property(tries = TRIES)
    void lengthPrefixedFramesCutAnywhereDecodeToTheBodiesSent(@ForAll("prefixBytes") int prefixBytes,
            @ForAll @Size(max = 20) List<@Size(max = 300) byte[]> bodies,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 64) Integer> cuts) {
        List<byte[]> sent = bodies.stream().filter(b -> prefixBytes > 1 || b.length < 256).toList();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] b : sent) {
            for (int shift = 8 * (prefixBytes - 1); shift >= 0; shift -= 8) {
                stream.write(b.length >>> shift);
            }
            stream.writeBytes(b);
        }
        Outcome<ByteBuffer> out = decode(in -> Frames.decodeLengthPrefixed(in, prefixBytes, 300),
                stream.toByteArray(), cuts);

        assertThat(out.error()).isNull();
        assertThat(out.values()).extracting(FramingPropertiesTest::bytes).containsExactlyElementsOf(sent);
    }

    @Property(tries = TRIES)
    void lengthPrefixedGarbageEndsAlikeHoweverCut(@ForAll("prefixBytes") int prefixBytes,
            @ForAll @Size(max = 600) byte[] data, @ForAll @IntRange(min = 1, max = 1 << 16) int maxFrameLength,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 64) Integer> cuts) {
        Function<Flux<ByteBuffer>, Flux<ByteBuffer>> op =
                in -> Frames.decodeLengthPrefixed(in, prefixBytes, maxFrameLength);
        Outcome<ByteBuffer> whole = decode(op, data, List.of(Math.max(1, data.length)));
        Outcome<ByteBuffer> cut = decode(op, data, cuts);

        assertSameOutcome(cut, whole);
        if (whole.error() != null) {
            // too long, or the stream ended inside a prefix or a body: nothing else
            assertThat(whole.error()).isInstanceOf(FlowsockException.class);
            assertThat(whole.error().getMessage()).containsAnyOf("exceeds maxFrameLength", "stream ended inside");
        }
    }

    @Property(tries = TRIES)
    void aLengthAboveTheMaximumFailsNamingBoth(@ForAll @IntRange(min = 1, max = 1 << 20) int maxFrameLength,
            @ForAll @LongRange(min = 1, max = 0xFFFF_FFFFL) long excess,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 3) Integer> cuts) {
        long length = Math.min(0xFFFF_FFFFL, maxFrameLength + excess);
        byte[] frame = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 1, 2, 3};
        Outcome<ByteBuffer> out = decode(in -> Frames.decodeLengthPrefixed(in, 4, maxFrameLength), frame, cuts);

        assertThat(out.values()).isEmpty();
        assertThat(out.error()).isInstanceOf(FrameTooLongException.class)
                .hasMessage("frame of " + length + " bytes exceeds maxFrameLength " + maxFrameLength);
        assertThat(((FrameTooLongException) out.error()).length()).isEqualTo(length);
    }

    /**
     * A peer that announces up to 2^31-1 bytes, within the largest maximum there is, and sends a
     * few: the decoder must not allocate what was announced, only what arrived. Measured as the bytes this thread allocated while decoding
     * synchronously, which does not depend on the heap size.
     */
    @Property(tries = 50)
    void anAnnouncedLengthIsNotAllocatedBeforeItsBytesArrive(
            @ForAll @LongRange(min = 64L << 20, max = Integer.MAX_VALUE) long length,
            @ForAll @IntRange(min = 1, max = 4096) int sent) {
        ByteBuffer frame = ByteBuffer.allocate(4 + sent).putInt((int) length).put(new byte[sent]).flip();
        long before = allocatedByThisThread();
        Throwable error = Frames.decodeLengthPrefixed(Flux.just(frame), 4, Integer.MAX_VALUE)
                .then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(BOUND);
        long allocated = allocatedByThisThread() - before;

        assertThat(error).isInstanceOf(FlowsockException.class).hasMessage("stream ended inside a frame: "
                + sent + " of " + length + " bytes (" + (length - sent) + " missing)");
        assertThat(allocated).as("bytes allocated decoding a frame that announced %d bytes", length)
                .isLessThan(1 << 20);
    }

    // ------------------------------------------------------------------ UTF-8

    @Property(tries = TRIES)
    void utf8CutAnywhereDecodesAsTheWholeStream(@ForAll @Size(max = 200) String text,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 7) Integer> cuts) {
        byte[] bytes = text.getBytes(UTF_8);
        Outcome<String> out = decode(Strings::decodeUtf8, bytes, cuts);

        assertThat(out.error()).isNull();
        assertThat(String.join("", out.values())).isEqualTo(new String(bytes, UTF_8));
    }

    @Property(tries = TRIES)
    void utf8GarbageDecodesAsTheJdkDecodesItWhole(@ForAll("garbage") byte[] data,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 7) Integer> cuts) {
        Outcome<String> out = decode(Strings::decodeUtf8, data, cuts);

        assertThat(out.error()).isNull();
        assertThat(String.join("", out.values())).isEqualTo(new String(data, UTF_8));
    }

    @Property(tries = TRIES)
    void utf8LinesCutAnywhereDecodeEachLineOnItsOwn(@ForAll("garbage") byte[] data,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 64) Integer> cuts) {
        Outcome<String> out = decode(in -> Strings.lines(in, 1024), data, cuts);

        List<String> expected = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == '\n') {
                int end = i > start && i < data.length && data[i - 1] == '\r' ? i - 1 : i;
                if (i < data.length || end > start) {
                    expected.add(new String(data, start, end - start, UTF_8));
                }
                start = i + 1;
            }
        }
        assertThat(out.error()).isNull();
        assertThat(out.values()).containsExactlyElementsOf(expected);
    }

    // ------------------------------------------------------------------ generators and helpers

    record Line(byte[] body, boolean crLf) {
    }

    @Provide
    Arbitrary<List<Line>> lines() {
        Arbitrary<byte[]> body = Arbitraries.bytes().filter(b -> b != '\n').array(byte[].class).ofMaxSize(128)
                .filter(b -> b.length == 0 || b[b.length - 1] != '\r');
        return Combinators.combine(body, Arbitraries.of(true, false)).as(Line::new).list().ofMaxSize(20);
    }

    /** Bytes rich in the ones decoders look at: delimiters, and UTF-8 lead and continuation bytes. */
    @Provide
    Arbitrary<byte[]> garbage() {
        Arbitrary<Byte> special = Arbitraries.of((byte) '\n', (byte) '\r', (byte) 0x80, (byte) 0xBF, (byte) 0xC3,
                (byte) 0xE2, (byte) 0xF0, (byte) 0xF4, (byte) 0xFF, (byte) 0);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes()), net.jqwik.api.Tuple.of(1, special))
                .array(byte[].class).ofMaxSize(400);
    }

    @Provide
    Arbitrary<Integer> prefixBytes() {
        return Arbitraries.of(1, 2, 4);
    }

    // com.sun.management.ThreadMXBean, reached reflectively: the module does not read jdk.management
    private static final MethodHandle ALLOCATED_BYTES = allocatedBytesHandle();

    private static MethodHandle allocatedBytesHandle() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            return MethodHandles.publicLookup()
                    .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .bindTo(threads);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long allocatedByThisThread() {
        try {
            return (long) ALLOCATED_BYTES.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read this thread's allocated bytes", e);
        }
    }

    record Outcome<T>(List<T> values, Throwable error) {
    }

    /**
     * Feeds {@code data} in pieces whose sizes cycle through {@code cuts}, each a window into a
     * larger array (so positions are not 0), and checks afterwards that no input buffer was moved.
     */
    static <T> Outcome<T> decode(Function<Flux<ByteBuffer>, Flux<T>> op, byte[] data, List<Integer> cuts) {
        List<ByteBuffer> pieces = new ArrayList<>();
        for (int i = 0, off = 0; off < data.length; i++) {
            int n = Math.min(cuts.get(i % cuts.size()), data.length - off);
            byte[] padded = new byte[n + 2];
            System.arraycopy(data, off, padded, 1, n);
            pieces.add(ByteBuffer.wrap(padded, 1, n));
            off += n;
        }
        List<T> values = new ArrayList<>();
        Throwable error = op.apply(Flux.fromIterable(pieces))
                .doOnNext(values::add)
                .then(Mono.<Throwable>empty())
                .onErrorResume(Mono::just)
                .subscribeOn(Schedulers.parallel())
                .block(BOUND);
        assertThat(pieces).allSatisfy(b -> assertThat(b.position()).isEqualTo(1));
        assertThat(pieces).allSatisfy(b -> assertThat(b.limit()).isEqualTo(b.capacity() - 1));
        return new Outcome<>(values, error);
    }

    /** What a buffer holds, whatever its position or backing. */
    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private static void assertSameOutcome(Outcome<ByteBuffer> cut, Outcome<ByteBuffer> whole) {
        assertThat(cut.values()).extracting(FramingPropertiesTest::bytes)
                .containsExactlyElementsOf(whole.values().stream().map(FramingPropertiesTest::bytes).toList());
        if (whole.error() == null) {
            assertThat(cut.error()).isNull();
        } else {
            assertThat(cut.error()).isNotNull().hasSameClassAs(whole.error()).hasMessage(whole.error().getMessage());
        }
    }
}
