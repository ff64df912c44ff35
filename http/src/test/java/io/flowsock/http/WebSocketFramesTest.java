package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * flowsock's WebSocket decoder, written here rather than taken from a library (docs/http.md says
 * why), checked as a parser of our own must be: random messages, each fragmented at random into
 * frames of every header size (7-bit, 16-bit and 64-bit lengths), masked with random keys, with
 * pings between the fragments, arrive whole and in order however the bytes are split into reads;
 * the same unmasked, as a server sends them, through the client's decoder; and the client's
 * masked frames decode back to what was sent.
 */
class WebSocketFramesTest {
    /** A message as the client sends it: its opcode, payload and the sizes of its fragments. */
    record Message(int opcode, byte[] payload, List<Integer> fragments) { }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Integer> opcode = Arbitraries.of(WebSocketFrames.TEXT, WebSocketFrames.BINARY, WebSocketFrames.PING);
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 125)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(126, 70_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 0)));
        return Combinators.combine(opcode, size, Arbitraries.longs()).as((op, n, seed) -> {
            Random r = new Random(seed);
            int len = op == WebSocketFrames.PING ? Math.min(n, 125) : n;
            byte[] payload = new byte[len];
            if (op == WebSocketFrames.TEXT) {
                // valid UTF-8, multi-byte characters included (a fragment may end inside one)
                String alphabet = "aZ09 ü€𝄞";
                StringBuilder b = new StringBuilder();
                while (b.toString().getBytes(StandardCharsets.UTF_8).length < len) {
                    b.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
                }
                payload = b.toString().getBytes(StandardCharsets.UTF_8);
            } else {
                r.nextBytes(payload);
            }
            List<Integer> fragments = new ArrayList<>();
            int left = payload.length;
            if (op == WebSocketFrames.PING || left == 0 || r.nextInt(3) == 0) {
                fragments.add(left);
            } else {
                while (left > 0) {
                    int f = 1 + r.nextInt(left);
                    fragments.add(f);
                    left -= f;
                }
            }
            return new Message(op, payload, fragments);
        });
    }

    @Provide
    Arbitrary<List<Message>> conversations() {
        return messages().list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 200)
    void messagesArriveWholeHoweverTheBytesAreSplit(@ForAll("conversations") List<Message> messages,
                                                    @ForAll long splitSeed, @ForAll @IntRange(min = 1, max = 9000) int maxRead,
                                                    @ForAll boolean fromServer) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Random masks = new Random(splitSeed ^ 0x5DEECE66DL);
        for (Message m : messages) {
            int at = 0;
            for (int i = 0; i < m.fragments().size(); i++) {
                int n = m.fragments().get(i);
                boolean last = i == m.fragments().size() - 1;
                int op = i == 0 ? m.opcode() : WebSocketFrames.CONTINUATION;
                frame(wire, op, last, m.payload(), at, n, fromServer ? null : masks);
                at += n;
                if (!last && m.opcode() != WebSocketFrames.PING && masks.nextInt(4) == 0) {
                    frame(wire, WebSocketFrames.PING, true, new byte[] {1, 2, 3}, 0, 3, fromServer ? null : masks);   // between fragments
                }
            }
        }
        byte[] bytes = wire.toByteArray();
        WebSocketFrames.Decoder d = new WebSocketFrames.Decoder(1 << 20, !fromServer);
        List<WebSocketFrames.Frame> got = new ArrayList<>();
        Random split = new Random(splitSeed);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + split.nextInt(maxRead));
            // a read arrives in a buffer of its own; the decoder keeps nothing of it but what it copied
            ByteBuffer in = split.nextBoolean() ? ByteBuffer.wrap(bytes, at, n).slice()
                    : ByteBuffer.allocateDirect(n).put(bytes, at, n).flip();
            in.order(split.nextBoolean() ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);   // bytes are bytes
            for (WebSocketFrames.Frame f; (f = d.next(in)) != null; ) {
                got.add(f);
            }
            assertThat(in.hasRemaining()).isFalse();
            at += n;
        }
        assertThat(d.midFrame()).isFalse();
        List<String> expected = new ArrayList<>();
        for (Message m : messages) {
            if (m.opcode() != WebSocketFrames.PING) {
                expected.add(m.opcode() + ":" + java.util.HexFormat.of().formatHex(m.payload()));
            } else {
                expected.add(WebSocketFrames.PING + ":" + java.util.HexFormat.of().formatHex(m.payload()));
            }
        }
        List<String> decoded = new ArrayList<>();
        for (WebSocketFrames.Frame f : got) {
            byte[] p = new byte[f.payload().remaining()];
            f.payload().duplicate().get(p);
            if (f.opcode() == WebSocketFrames.PING && p.length == 3 && p[0] == 1 && p[1] == 2 && p[2] == 3) {
                continue;   // the pings put between fragments
            }
            decoded.add(f.opcode() + ":" + java.util.HexFormat.of().formatHex(p));
        }
        assertThat(decoded).isEqualTo(expected);
    }

    /** One masked client frame of {@code payload[from, from + n)}, with the shortest length field that holds n. */
    private static void clientFrame(ByteArrayOutputStream out, int opcode, boolean fin, byte[] payload, int from, int n,
                                    Random masks) {
        frame(out, opcode, fin, payload, from, n, masks);
    }

    /** One frame of {@code payload[from, from + n)}: masked with keys from {@code masks}, or unmasked (a server's) when null. */
    private static void frame(ByteArrayOutputStream out, int opcode, boolean fin, byte[] payload, int from, int n,
                              Random masks) {
        int m = masks == null ? 0 : 0x80;
        out.write((fin ? 0x80 : 0) | opcode);
        if (n < 126) {
            out.write(m | n);
        } else if (n < 65_536) {
            out.write(m | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(m | 127);
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) ((long) n >>> s));
            }
        }
        byte[] mask = new byte[4];
        if (masks != null) {
            masks.nextBytes(mask);
            out.writeBytes(mask);
        }
        for (int i = 0; i < n; i++) {
            out.write(payload[from + i] ^ mask[i & 3]);
        }
    }

    @Property(tries = 50)
    void aServerFrameIsWhatTheRfcSays(@ForAll @IntRange(min = 0, max = 70_000) int size) {
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        ByteBuffer[] wire = WebSocketFrames.encode(WebSocketFrames.BINARY, ByteBuffer.wrap(payload));
        ByteBuffer all = ByteBuffer.allocate(wire[0].remaining() + (wire.length > 1 ? wire[1].remaining() : 0));
        for (ByteBuffer b : wire) {
            all.put(b.duplicate());
        }
        all.flip();
        assertThat(all.get() & 0xff).isEqualTo(0x82);
        int len7 = all.get() & 0xff;
        assertThat(len7 & 0x80).as("server frames are unmasked").isZero();
        long length = len7 < 126 ? len7 : len7 == 126 ? all.getShort() & 0xffff : all.getLong();
        assertThat(length).isEqualTo(size);
        assertThat(len7).as("the shortest length field").isEqualTo(size < 126 ? size : size < 65_536 ? 126 : 127);
        byte[] back = new byte[all.remaining()];
        all.get(back);
        assertThat(back).isEqualTo(payload);
        assertThat(wire.length).as("copied behind the header up to 16 KiB").isEqualTo(size <= WebSocketFrames.COPY_LIMIT ? 1 : 2);
    }

    @Property(tries = 100)
    void aClientFrameIsMaskedAndDecodesBackWhateverTheKeyAndBuffer(@ForAll @IntRange(min = 0, max = 70_000) int size,
                                                                   @ForAll int key, @ForAll boolean direct,
                                                                   @ForAll boolean littleEndian, @ForAll @IntRange(min = 0, max = 7) int offset) {
        byte[] payload = new byte[size];
        new Random(size ^ key).nextBytes(payload);
        ByteBuffer src = (direct ? ByteBuffer.allocateDirect(size + offset) : ByteBuffer.allocate(size + offset))
                .position(offset).slice().put(payload).flip();
        src.order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        ByteBuffer wire = WebSocketFrames.encodeMasked(WebSocketFrames.BINARY, src, key);
        assertThat(wire.get(1) & 0x80).as("client frames are masked").isEqualTo(0x80);
        byte[] untouched = new byte[size];
        src.duplicate().get(untouched);
        assertThat(untouched).as("the caller's buffer is not written to").isEqualTo(payload);
        assertThat(src.position()).isZero();
        WebSocketFrames.Frame f = new WebSocketFrames.Decoder(1 << 20).next(wire);
        assertThat(f).isNotNull();
        byte[] back = new byte[f.payload().remaining()];
        f.payload().get(back);
        assertThat(back).isEqualTo(payload);
        assertThat(wire.hasRemaining()).isFalse();
    }

    @Property(tries = 20)
    void aMaskedFrameFromAServerIsAProtocolError(@ForAll @IntRange(min = 0, max = 200) int size) {
        ByteBuffer wire = WebSocketFrames.encodeMasked(WebSocketFrames.TEXT, ByteBuffer.allocate(size), 7);
        assertThatThrownBy(() -> new WebSocketFrames.Decoder(1 << 20, false).next(wire))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002))
                .hasMessageContaining("server frame is masked");
    }

    @Property(tries = 100)
    void aMessageOverTheLimitIsRefusedWhateverItsFragments(@ForAll @IntRange(min = 2, max = 20) int fragments) {
        WebSocketFrames.Decoder d = new WebSocketFrames.Decoder(1000);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        byte[] payload = new byte[1001];
        int each = payload.length / fragments;
        int at = 0;
        for (int i = 0; i < fragments; i++) {
            int n = i == fragments - 1 ? payload.length - at : each;
            clientFrame(wire, i == 0 ? WebSocketFrames.BINARY : WebSocketFrames.CONTINUATION, i == fragments - 1, payload, at, n,
                    new Random(i));
            at += n;
        }
        ByteBuffer in = ByteBuffer.wrap(wire.toByteArray());
        assertThatThrownBy(() -> {
            while (d.next(in) != null) {
                // nothing is whole before the limit is passed
            }
        }).isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1009));
    }
}
