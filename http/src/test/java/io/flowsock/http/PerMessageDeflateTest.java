package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate's negotiation, a table of offers and answers, and its codec: messages
 * compressed by one side come back whole through the other, with the window kept or not, fragmented
 * at random into frames; a message that inflates past the limit is 1009, and one that is no
 * deflate data 1007.
 */
class PerMessageDeflateTest {

    private static HttpHeaders offering(String... values) {
        HttpHeaders h = new HttpHeaders();
        for (String v : values) {
            h.add("Sec-WebSocket-Extensions", v);
        }
        return h;
    }

    @Test
    void theServerAnswersTheFirstOfferItCanHonour() {
        String[][] table = {
                // offer(s), answer (null: no extension agreed)
                {"permessage-deflate", "permessage-deflate"},
                {"permessage-deflate; client_max_window_bits", "permessage-deflate"},
                {"permessage-deflate; client_max_window_bits=12", "permessage-deflate"},
                {"permessage-deflate; server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15"},
                {"permessage-deflate; client_max_window_bits=08", null},           // a leading zero
                {"permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover"},
                {"permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover"},
                {"Permessage-Deflate; Server_No_Context_Takeover", "permessage-deflate; server_no_context_takeover"},
                {"permessage-deflate; server_max_window_bits=10", null},           // a window the JDK cannot keep to
                {"permessage-deflate; server_max_window_bits=10, permessage-deflate", "permessage-deflate"},
                {"x-webkit-deflate-frame, permessage-deflate; client_max_window_bits", "permessage-deflate"},
                {"permessage-deflate; client_max_window_bits=7", null},            // not 8 to 15
                {"permessage-deflate; client_max_window_bits=\"10\"", "permessage-deflate"},   // a quoted value
                {"permessage-deflate; server_no_context_takeover=1", null},        // a value where none goes
                {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", null},
                {"permessage-deflate; mystery", null},
                {"permessage-deflate; =5", null},
                {"x-webkit-deflate-frame", null},
                {"", null},
        };
        for (String[] row : table) {
            PerMessageDeflate.Agreed a = PerMessageDeflate.accept(offering(row[0]));
            assertThat(a == null ? null : a.answer()).as("offer \"%s\"", row[0]).isEqualTo(row[1]);
        }
        // offers split over two fields are one list, in order
        assertThat(PerMessageDeflate.accept(offering("permessage-deflate; server_max_window_bits=9",
                "permessage-deflate; client_no_context_takeover")).answer())
                .isEqualTo("permessage-deflate; client_no_context_takeover");
    }

    @Test
    void theClientTakesOnlyWhatItOffered() {
        assertThat(PerMessageDeflate.agreed(List.of(), true)).isNull();
        assertThat(PerMessageDeflate.agreed(List.of("permessage-deflate"), true)).isNotNull();
        assertThat(PerMessageDeflate.agreed(List.of("permessage-deflate; server_no_context_takeover; "
                + "client_no_context_takeover; server_max_window_bits=9"), true)).isNotNull();
        String[][] refused = {
                {"permessage-deflate; client_max_window_bits=10", "client_max_window_bits"},
                {"permessage-deflate; server_max_window_bits=16", "server_max_window_bits=16"},
                {"permessage-deflate; server_max_window_bits", "server_max_window_bits without a value"},
                {"permessage-deflate; server_max_window_bits=09", "server_max_window_bits=09"},
                {"permessage-deflate; client_no_context_takeover=yes", "client_no_context_takeover a value"},
                {"permessage-deflate, permessage-deflate", "more than once"},
                {"x-webkit-deflate-frame", "x-webkit-deflate-frame"},
        };
        for (String[] r : refused) {
            assertThatThrownBy(() -> PerMessageDeflate.agreed(List.of(r[0]), true)).as(r[0])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(r[1]);
        }
        assertThatThrownBy(() -> PerMessageDeflate.agreed(List.of("permessage-deflate"), false))
                .hasMessageContaining("none was offered");
    }

    /** Both sides' codecs as a server and a client agree them: what one compresses, the other inflates. */
    @Property(tries = 200)
    void messagesComeBackWholeWithTheWindowKeptOrNot(@ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 70_000) Integer> sizes,
                                                     @ForAll boolean serverReset, @ForAll boolean clientReset,
                                                     @ForAll long seed) {
        StringBuilder offer = new StringBuilder("permessage-deflate");
        if (serverReset) {
            offer.append("; server_no_context_takeover");
        }
        if (clientReset) {
            offer.append("; client_no_context_takeover");
        }
        PerMessageDeflate.Agreed agreed = PerMessageDeflate.accept(offering(offer.toString()));
        PerMessageDeflate server = agreed.deflate();
        PerMessageDeflate client = PerMessageDeflate.agreed(List.of(agreed.answer()), true);
        Random r = new Random(seed);
        try {
            for (int size : sizes) {
                byte[] m = message(r, size);
                // the client's messages through the server's decoder, fragmented and masked as the client frames them
                ByteBuffer compressed = client.compress(ByteBuffer.wrap(m));
                WebSocketFrames.Frame f = decodeOne(new WebSocketFrames.Decoder(1 << 20, true, server),
                        frames(compressed, r), r);
                assertThat(bytes(f.payload())).isEqualTo(m);
                // and the server's back through its own decompressing peer
                assertThat(bytes(client.decompress(server.compress(ByteBuffer.wrap(m)), 1 << 20))).isEqualTo(m);
            }
        } finally {
            end(server);
            end(client);
        }
    }

    @Test
    void aMessageThatInflatesPastTheLimitIs1009AndOneThatIsNoDeflateDataIs1007() {
        PerMessageDeflate a = PerMessageDeflate.accept(offering("permessage-deflate")).deflate();
        PerMessageDeflate b = PerMessageDeflate.agreed(List.of("permessage-deflate"), true);
        ByteBuffer bomb = a.compress(ByteBuffer.wrap(new byte[10 << 20]));
        assertThat(bomb.remaining()).isLessThan(20_000);   // 10 MiB of zeros deflate to about 10 KiB
        assertThatThrownBy(() -> b.decompress(bomb, 1 << 20)).isInstanceOfSatisfying(WebSocketException.class,
                e -> assertThat(e.closeCode()).isEqualTo(1009)).hasMessageContaining("1048576");
        // exactly at the limit is allowed
        PerMessageDeflate c = PerMessageDeflate.agreed(List.of("permessage-deflate"), true);
        PerMessageDeflate fresh = PerMessageDeflate.accept(offering("permessage-deflate")).deflate();
        assertThat(c.decompress(fresh.compress(ByteBuffer.wrap(new byte[4096])), 4096).remaining()).isEqualTo(4096);
        end(fresh);
        assertThatThrownBy(() -> c.decompress(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 0x13}), 4096))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1007));
        end(a);
        end(b);
        end(c);
        assertThatThrownBy(() -> a.compress(ByteBuffer.wrap(new byte[1]))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void rsv1IsRefusedWithoutTheExtensionAndOnAContinuationOrControlFrame() {
        assertThatThrownBy(() -> new WebSocketFrames.Decoder(1024, false).next(ByteBuffer.wrap(new byte[] {(byte) 0xC1, 2, 'h', 'i'})))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002))
                .hasMessageContaining("0x40");
        PerMessageDeflate d = PerMessageDeflate.agreed(List.of("permessage-deflate"), true);
        assertThatThrownBy(() -> new WebSocketFrames.Decoder(1024, false, d).next(ByteBuffer.wrap(new byte[] {(byte) 0xC9, 2, 'h', 'i'})))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002))
                .hasMessageContaining("RSV1");
        WebSocketFrames.Decoder dec = new WebSocketFrames.Decoder(1024, false, d);
        assertThat(dec.next(ByteBuffer.wrap(new byte[] {0x01, 2, 'h', 'i'}))).isNull();   // a first fragment, uncompressed
        assertThatThrownBy(() -> dec.next(ByteBuffer.wrap(new byte[] {(byte) 0xC0, 2, 'h', 'i'})))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002));
        end(d);
    }

    /** Half of the messages compressible text, half random bytes. */
    private static byte[] message(Random r, int size) {
        byte[] m = new byte[size];
        if (r.nextBoolean()) {
            r.nextBytes(m);
        } else {
            byte[] words = "the quick brown fox jumps over the lazy dog ".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < size; i++) {
                m[i] = words[(i + r.nextInt(3)) % words.length];
            }
        }
        return m;
    }

    /** A compressed message as a client frames it: fragments of random size, masked, RSV1 on the first. */
    private static byte[] frames(ByteBuffer payload, Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] p = bytes(payload);
        int at = 0;
        boolean first = true;
        do {
            int n = Math.min(p.length - at, 1 + r.nextInt(Math.max(1, p.length)));
            boolean fin = at + n == p.length;
            int b0 = (fin ? 0x80 : 0) | (first ? PerMessageDeflate.RSV1 | WebSocketFrames.BINARY : WebSocketFrames.CONTINUATION);
            ByteBuffer f = WebSocketFrames.encodeMasked(0, ByteBuffer.wrap(p, at, n), r.nextInt());
            byte[] fb = bytes(f);
            fb[0] = (byte) b0;
            out.writeBytes(fb);
            at += n;
            first = false;
        } while (at < p.length);
        return out.toByteArray();
    }

    /** Feeds {@code wire} to the decoder in reads of random size until it gives one message. */
    private static WebSocketFrames.Frame decodeOne(WebSocketFrames.Decoder d, byte[] wire, Random r) {
        int at = 0;
        while (at < wire.length) {
            int n = Math.min(wire.length - at, 1 + r.nextInt(4096));
            ByteBuffer in = ByteBuffer.wrap(wire, at, n);
            WebSocketFrames.Frame f = d.next(in);
            at += n - in.remaining();
            if (f != null) {
                assertThat(at).isEqualTo(wire.length);
                return f;
            }
        }
        throw new AssertionError("no message decoded from " + wire.length + " bytes");
    }

    private static void end(PerMessageDeflate d) {
        d.endDeflater();
        d.endInflater();
    }

    @Test
    void aPeerThatEndsAMessageWithAFinalBlockMayStillReferBackIntoIt() throws Exception {
        PerMessageDeflate d = PerMessageDeflate.agreed(List.of("permessage-deflate"), true);
        // message 1 ends with BFINAL (a whole deflate stream); message 2, from a deflater primed with
        // message 1 as its dictionary, refers back into it
        byte[] first = "the same words, the same words, the same words".getBytes(StandardCharsets.US_ASCII);
        java.util.zip.Deflater peer = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
        peer.setInput(first);
        peer.finish();
        byte[] buf = new byte[256];
        int n = peer.deflate(buf);
        assertThat(bytes(d.decompress(ByteBuffer.wrap(buf, 0, n), 4096))).isEqualTo(first);
        java.util.zip.Deflater next = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
        next.setDictionary(first);
        next.setInput("the same words".getBytes(StandardCharsets.US_ASCII));
        int m = next.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH);
        assertThat(new String(bytes(d.decompress(ByteBuffer.wrap(buf, 0, m - 4), 4096)), StandardCharsets.US_ASCII))
                .isEqualTo("the same words");
        end(d);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
