package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * udp-echo-64 and udp-echo-1400: one connected JDK {@code DatagramSocket} keeps {@code window}
 * datagrams of {@code size} bytes in flight to the echo server, sending the next as each echo
 * comes back; {@code warmup} echoes, MARK begin, {@code datagrams} measured, MARK end. Each
 * datagram carries its sequence number, and an echo must be one sent and not yet answered and of
 * the size sent. UDP may lose a datagram: one not echoed within 200 ms counts in {@code err_lost}
 * and is replaced, so a loss costs a wait rather than stalling the window.
 */
final class UdpEchoLoad {
    private UdpEchoLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p, int size) throws IOException {
        long datagrams = p.num("datagrams");
        int window = Math.toIntExact(p.num("window"));
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0))) {
            s.connect(server);
            s.setSoTimeout(200);
            Window w = new Window(s, size, window);
            w.echoes(p.num("warmup"));
            Control.mark("begin");
            long lostBefore = w.lost;
            long t0 = System.nanoTime();
            w.echoes(datagrams);
            long t1 = System.nanoTime();
            Control.mark("end");
            double seconds = (t1 - t0) / 1e9;
            return new Metrics()
                    .put("datagrams", datagrams)
                    .put("seconds", seconds)
                    .put("rate", datagrams / seconds)
                    .put("cpu_units", datagrams)
                    .put("err_lost", w.lost - lostBefore)
                    .put("err_wrong", w.wrong);
        }
    }

    /** The datagrams in flight, by sequence number modulo the window. */
    private static final class Window {
        private final DatagramSocket socket;
        private final byte[] out;
        private final DatagramPacket in;
        private final long[] inFlight;     // the sequence number in each slot, -1 when free
        long lost;
        long wrong;

        Window(DatagramSocket socket, int size, int window) {
            this.socket = socket;
            this.out = new byte[size];
            this.in = new DatagramPacket(new byte[size + 1], size + 1);
            this.inFlight = new long[window];
            java.util.Arrays.fill(inFlight, -1);
        }

        /** Keeps the window full until {@code count} more echoes came back. */
        void echoes(long count) throws IOException {
            for (int i = 0; i < inFlight.length; i++) {
                if (inFlight[i] < 0) {
                    send(i);
                }
            }
            for (long done = 0; done < count; ) {
                try {
                    in.setLength(out.length + 1);
                    socket.receive(in);
                } catch (SocketTimeoutException timeout) {
                    lost += resendAll();
                    continue;
                }
                long seq = ByteBuffer.wrap(in.getData()).getLong(0);
                int slot = (int) Math.floorMod(seq, (long) inFlight.length);
                if (in.getLength() == out.length && seq >= 0 && seq < inFlight[slot]) {
                    continue;                  // a late echo of one already counted lost and replaced
                }
                if (in.getLength() != out.length || inFlight[slot] != seq) {
                    wrong++;
                    continue;
                }
                done++;
                send(slot);
            }
        }

        /** Sends the slot's next datagram: sequence numbers in a slot step by the window. */
        private void send(int slot) throws IOException {
            long seq = inFlight[slot] < 0 ? slot : inFlight[slot] + inFlight.length;
            inFlight[slot] = seq;
            ByteBuffer.wrap(out).putLong(0, seq);
            socket.send(new DatagramPacket(out, out.length));
        }

        /** Nothing came back for a while: every datagram in flight is taken as lost and sent anew. */
        private int resendAll() throws IOException {
            for (int i = 0; i < inFlight.length; i++) {
                send(i);
            }
            return inFlight.length;
        }
    }
}
