package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The permessage-deflate extension (RFC 7692) of one WebSocket: its negotiation, and the
 * compression of the messages sent and the decompression of those received, with the JDK's zlib.
 *
 * <p>What is agreed. The JDK's {@link Deflater} always uses a 32 KiB window, so an offer that
 * limits the window flowsock compresses with ({@code server_max_window_bits} below 15 from a
 * client; {@code client_max_window_bits} with a value from a server) cannot be honoured: a server
 * passes over such an offer, and flowsock's client never makes one, so a server that answers with
 * one has answered what was not offered. Any window the peer compresses with is inflated, and a
 * {@code *_no_context_takeover} for either side is honoured (the deflater reset after each
 * message).
 *
 * <p>Memory. The deflater (about 256 KiB of native memory at zlib's defaults) and the inflater
 * (about 40 KiB) are made at the first message that needs them, so a WebSocket that sends nothing
 * compressed holds neither; both are freed when the connection closes ({@link #endDeflater()},
 * {@link #endInflater()}).
 *
 * <p>Threading. Messages are compressed on the thread that emits them (one send at a time, in
 * the order they go out, which the shared window depends on), under a lock that the close only
 * tries, so that it never waits on a port thread for a large message: the compressing thread frees
 * the deflater when it is done. Messages are decompressed on the connection's loop, which frees
 * the inflater once it decodes nothing more.
 */
final class PerMessageDeflate {
    static final String NAME = "permessage-deflate";
    /** The RSV1 bit of a frame's first byte: set on the first frame of a compressed message. */
    static final int RSV1 = 0x40;
    /** What a sync flush ends with, left off the wire and put back before inflating (RFC 7692, 7.2.1). */
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final boolean resetDeflater;   // our side takes no context over from one message to the next
    /** Held while a message is compressed (a send's thread); the close only tries it. */
    private final ReentrantLock deflating = new ReentrantLock();
    private Deflater deflater;                 // under deflating
    private volatile boolean deflaterEnded;
    private Inflater inflater;                 // the connection's loop only
    private boolean inflaterEnded;

    private PerMessageDeflate(boolean resetDeflater) {
        this.resetDeflater = resetDeflater;
    }

    // ---- negotiation ----

    /** What the server agreed to: the extension for the session and the value of its answer's field. */
    record Agreed(PerMessageDeflate deflate, String answer) { }

    /**
     * The server's choice among a client's {@code Sec-WebSocket-Extensions}: the first
     * permessage-deflate offer it can honour, or null (then the answer names no extension).
     */
    static Agreed accept(HttpHeaders request) {
        for (Map<String, String> offer : offers(request.getAll("Sec-WebSocket-Extensions"))) {
            if (offer == null) {
                continue;   // another extension, or a permessage-deflate offer that is malformed: passed over
            }
            boolean usable = true;
            for (Map.Entry<String, String> p : offer.entrySet()) {
                usable &= switch (p.getKey()) {
                    case "server_no_context_takeover", "client_no_context_takeover" -> p.getValue() == null;
                    case "server_max_window_bits" -> "15".equals(p.getValue());
                    case "client_max_window_bits" -> p.getValue() == null || windowBits(p.getValue());
                    default -> false;
                };
            }
            if (usable) {
                boolean serverReset = offer.containsKey("server_no_context_takeover");
                StringBuilder answer = new StringBuilder(NAME);
                if (serverReset) {
                    answer.append("; server_no_context_takeover");
                }
                if (offer.containsKey("client_no_context_takeover")) {
                    answer.append("; client_no_context_takeover");
                }
                if (offer.containsKey("server_max_window_bits")) {
                    answer.append("; server_max_window_bits=15");   // accepted by answering it (RFC 7692, 7.1.2.1)
                }
                return new Agreed(new PerMessageDeflate(serverReset), answer.toString());
            }
        }
        return null;
    }

    /** The client's offer: the extension with no parameter, which lets the server use any window. */
    static String offer() {
        return NAME;
    }

    /**
     * The client's reading of the 101's {@code Sec-WebSocket-Extensions}: the extension agreed,
     * or null when the server agreed to none.
     *
     * @param offered whether the client offered permessage-deflate
     * @throws IllegalArgumentException naming what in the answer was not offered or is malformed
     */
    static PerMessageDeflate agreed(List<String> answer, boolean offered) {
        List<Map<String, String>> all = offers(answer);
        if (all.isEmpty()) {
            return null;
        }
        if (!offered) {
            throw new IllegalArgumentException("the server agreed to the extensions \"" + String.join(", ", answer)
                    + "\", but none was offered");
        }
        if (all.contains(null)) {
            throw new IllegalArgumentException("the server agreed to the extensions \"" + String.join(", ", answer)
                    + "\", but only permessage-deflate was offered (another extension, or a parameter malformed or repeated)");
        }
        if (all.size() > 1) {
            throw new IllegalArgumentException("the server agreed to permessage-deflate more than once: \""
                    + String.join(", ", answer) + "\"");
        }
        boolean reset = false;
        for (Map.Entry<String, String> p : all.get(0).entrySet()) {
            switch (p.getKey()) {
                case "server_no_context_takeover" -> { }
                case "client_no_context_takeover" -> reset = true;
                case "server_max_window_bits" -> {
                    if (!windowBits(p.getValue())) {
                        throw new IllegalArgumentException("the server's permessage-deflate has server_max_window_bits"
                                + (p.getValue() == null ? " without a value" : "=" + p.getValue() + ", not 8 to 15"));
                    }
                }
                default -> throw new IllegalArgumentException("the server's permessage-deflate has the parameter \""
                        + p.getKey() + "\", which was not offered");
            }
            if (p.getValue() != null && !p.getKey().equals("server_max_window_bits")) {
                throw new IllegalArgumentException("the server's permessage-deflate gives " + p.getKey() + " a value");
            }
        }
        return new PerMessageDeflate(reset);
    }

    /** 8 to 15, in decimal without a leading zero (RFC 7692, 7.1.2.1). */
    private static boolean windowBits(String v) {
        return v != null && v.length() <= 2 && !v.startsWith("0") && v.chars().allMatch(Character::isDigit)
                && Integer.parseInt(v) >= 8 && Integer.parseInt(v) <= 15;
    }

    /**
     * The extensions of a header's values, in order (RFC 7692, 5; RFC 6455, 9.1): for each
     * permessage-deflate its parameters (name to value, null for none), null for one that is
     * malformed or repeats a parameter; other extensions count as null too.
     */
    private static List<Map<String, String>> offers(List<String> values) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String value : values) {
            for (String ext : value.split(",", -1)) {
                if (ext.isBlank()) {
                    continue;
                }
                String[] parts = ext.split(";", -1);
                if (!parts[0].trim().equalsIgnoreCase(NAME)) {
                    out.add(null);
                    continue;
                }
                Map<String, String> params = new HashMap<>();
                for (int i = 1; i < parts.length && params != null; i++) {
                    String p = parts[i].trim();
                    int eq = p.indexOf('=');
                    String name = (eq < 0 ? p : p.substring(0, eq).trim()).toLowerCase(Locale.ROOT);
                    String v = eq < 0 ? null : unquote(p.substring(eq + 1).trim());
                    if (name.isEmpty() || !HttpHeaders.isToken(name) || (v != null && v.isEmpty())
                            || params.containsKey(name)) {
                        params = null;
                    } else {
                        params.put(name, v);
                    }
                }
                out.add(params);
            }
        }
        return out;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    // ---- the messages ----

    /** A message's payload compressed, the sync flush's tail left off; the caller's buffer is read, not changed. */
    ByteBuffer compress(ByteBuffer payload) {
        deflating.lock();
        try {
            if (deflaterEnded) {
                throw new IllegalStateException("the WebSocket is closed: its compressor is freed");
            }
            if (deflater == null) {
                deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            }
            deflater.setInput(payload.duplicate());
            byte[] out = new byte[Math.max(64, payload.remaining() / 2 + 16)];
            int n = 0;
            while (true) {
                n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
                if (n < out.length) {
                    break;   // the flush is whole: zlib stopped with room to spare
                }
                out = Arrays.copyOf(out, out.length * 2);
            }
            if (resetDeflater) {
                deflater.reset();
            }
            if (n == 0) {
                // nothing new since the last flush (an empty message): zlib writes no block, and the
                // tail alone would not inflate; a single empty block's first byte stands for it (RFC 7692, 7.2.3.6)
                return ByteBuffer.wrap(new byte[1]);
            }
            // a sync flush ends with an empty stored block, 00 00 ff ff: the wire leaves it off
            return ByteBuffer.wrap(out, 0, n - 4);
        } finally {
            if (deflaterEnded) {
                freeDeflater();   // the close came while this message was compressed: freed here, not there
            }
            deflating.unlock();
        }
    }

    /**
     * A compressed message's payload inflated; a result over {@code max} bytes is 1009, data that
     * is no deflate stream 1007. On the connection's loop only, as {@link #endInflater()}.
     */
    ByteBuffer decompress(ByteBuffer data, int max) {
        if (inflaterEnded) {
            throw new WebSocketException(WebSocketClose.GOING_AWAY, "the WebSocket is closed");
        }
        if (!data.hasRemaining()) {
            return data;   // RSV1 on no payload at all: an empty message, though no deflater writes it so
        }
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        int cap = max >= Integer.MAX_VALUE - 8 ? Integer.MAX_VALUE - 8 : max + 1;   // one byte over the limit tells it
        // inflated into a shared scratch array, then copied out at its exact length: a guessed
        // array grown by doubling cost up to three times the message (and as many page faults on
        // a fresh heap: ws-echo-deflate's server CPU per message rose by 70 % when a message of
        // 1,024 bytes landed on a 1,024-byte guess and had to grow once more for the flush's tail)
        byte[] scratch = takeScratch(Math.min(cap, data.remaining() * 4));
        byte[] out = scratch;
        int room = Math.min(out.length, cap);   // the scratch may be longer than the limit allows
        try {
            int n = 0;
            try {
                for (int step = 0; step < 2; step++) {   // the payload, then the flush's tail put back
                    inflater.setInput(step == 0 ? data : ByteBuffer.wrap(TAIL));
                    while (true) {
                        if (n == room) {
                            if (n > max || n == cap) {
                                throw tooBig(max);
                            }
                            out = Arrays.copyOf(out, (int) Math.min(cap, 2L * out.length));
                            room = out.length;
                        }
                        int got = inflater.inflate(out, n, room - n);
                        n += got;
                        if (got == 0 && (inflater.needsInput() || inflater.finished())) {
                            break;
                        }
                        if (got == 0 && inflater.needsDictionary()) {
                            throw new DataFormatException("a preset dictionary is asked for");
                        }
                    }
                }
            } catch (DataFormatException e) {
                inflater.reset();
                throw new WebSocketException(WebSocketClose.INVALID_PAYLOAD,
                        "a compressed message is no deflate data: " + e.getMessage());
            }
            if (n > max) {
                throw tooBig(max);
            }
            if (inflater.finished()) {
                // the peer ended its stream with a final block; unless it takes no context over, its next
                // message may still refer back into this one (RFC 7692, 7.2.3.4): the new stream starts with
                // this message's last 32 KiB as its dictionary (an earlier message's bytes are not kept)
                inflater.reset();
                int keep = Math.min(n, WINDOW);
                if (keep > 0) {
                    inflater.setDictionary(out, n - keep, keep);
                }
            }
            return ByteBuffer.wrap(Arrays.copyOf(out, n));
        } finally {
            giveBack(scratch);   // the message has its own copy by now
        }
    }

    private static final int WINDOW = 32 * 1024;
    private static final int SCRATCH_SIZE = 64 * 1024;
    /**
     * Scratch arrays for inflating, shared by every WebSocket: a few, each {@value #SCRATCH_SIZE}
     * bytes, taken and given back around one message (the loop of a connection may run on any
     * thread, so they are not kept per thread: a thread of the application's that ran one would
     * hold its array for good).
     */
    private static final AtomicReferenceArray<byte[]> SCRATCH =
            new AtomicReferenceArray<>(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

    private static byte[] takeScratch(int size) {
        if (size <= SCRATCH_SIZE) {
            int slots = SCRATCH.length();
            int at = (int) (Thread.currentThread().getId() % slots);
            for (int i = 0; i < slots; i++) {
                byte[] b = SCRATCH.getAndSet((at + i) % slots, null);
                if (b != null) {
                    return b;
                }
            }
            return new byte[SCRATCH_SIZE];
        }
        return new byte[size];
    }

    private static void giveBack(byte[] b) {
        if (b.length == SCRATCH_SIZE) {
            int slots = SCRATCH.length();
            int at = (int) (Thread.currentThread().getId() % slots);
            for (int i = 0; i < slots; i++) {
                if (SCRATCH.compareAndSet((at + i) % slots, null, b)) {
                    return;
                }
            }
        }
    }

    private static WebSocketException tooBig(int max) {
        return new WebSocketException(WebSocketClose.TOO_BIG, "a compressed message inflates to more than "
                + max + " bytes; the limit is WebSocketSpec.maxMessageSize");
    }

    /**
     * Frees the compressor's native memory (any thread, any number of times), without waiting: a
     * message being compressed on another thread frees it when it is done.
     */
    void endDeflater() {
        deflaterEnded = true;
        if (deflating.tryLock()) {
            try {
                freeDeflater();
            } finally {
                deflating.unlock();
            }
        }
    }

    private void freeDeflater() {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }

    /** Frees the decompressor's native memory: on the connection's loop, once it decodes nothing more. */
    void endInflater() {
        inflaterEnded = true;
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }
}
