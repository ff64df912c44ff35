package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * pingpong: one connection, a 64-byte request and its echo, one at a time; {@code warmup}
 * round trips, MARK begin, {@code round_trips} measured, MARK end. Each request carries its
 * sequence number, so a stale or mixed-up echo fails the comparison. The runner pins this process
 * and the server to the same CPU.
 */
final class PingPongLoad {
    private PingPongLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        long roundTrips = p.num("round_trips");
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            s.connect(server, 10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] request = new byte[Protocol.PING_SIZE];
            byte[] response = new byte[Protocol.PING_SIZE];
            Arrays.fill(request, (byte) 'p');
            ByteBuffer seq = ByteBuffer.wrap(request);
            long warmup = p.num("warmup");
            Samples ignored = new Samples(0);
            roundTrips(out, in, request, response, seq, 0, warmup, ignored);
            Control.mark("begin");
            Samples samples = new Samples(Math.toIntExact(roundTrips));
            long t0 = System.nanoTime();
            roundTrips(out, in, request, response, seq, warmup, roundTrips, samples);
            long t1 = System.nanoTime();
            Control.mark("end");
            s.shutdownOutput();
            if (in.read() != -1) {
                throw new IOException("echo server sent more bytes than it received");
            }
            double seconds = (t1 - t0) / 1e9;
            return Metrics.roundTrips(roundTrips, seconds, samples);
        }
    }

    private static void roundTrips(OutputStream out, InputStream in, byte[] request, byte[] response,
                                   ByteBuffer seq, long first, long count, Samples samples) throws IOException {
        for (long i = first; i < first + count; i++) {
            seq.putLong(0, i);
            long start = System.nanoTime();
            out.write(request);
            int n = in.readNBytes(response, 0, response.length);
            samples.add(System.nanoTime() - start);
            if (n != response.length || !Arrays.equals(request, response)) {
                throw new IOException("round trip " + i + ": echo differs from the request (" + n + " bytes)");
            }
        }
    }
}
