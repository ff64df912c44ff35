package io.flowsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What framing a client's messages costs: flowsock's masked encoder (each payload masked with a
 * fresh key into a heap buffer of its own, header and payload in one, the caller's buffer never
 * written to) against Netty's {@code WebSocket08FrameEncoder} with masking on, on an
 * {@code EmbeddedChannel}, whose output buffers are released here as the transport would. One
 * operation is 16 binary frames of {@code size} bytes. In io.flowsock.http because the encoder is
 * package-private there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WebSocketEncodeBenchmark {
    @Param({"64", "16384"})
    int size;

    private ByteBuffer payload;
    private ByteBuf nettyPayload;
    private EmbeddedChannel netty;

    @Setup
    public void payloads() {
        byte[] p = new byte[size];
        ThreadLocalRandom.current().nextBytes(p);
        payload = ByteBuffer.wrap(p);
        nettyPayload = Unpooled.wrappedBuffer(p);
        netty = new EmbeddedChannel(new WebSocket08FrameEncoder(true));
    }

    @Benchmark
    public void flowsock(Blackhole bh) {
        for (int f = 0; f < 16; f++) {
            bh.consume(WebSocketFrames.encodeMasked(WebSocketFrames.BINARY, payload, ThreadLocalRandom.current().nextInt()));
        }
    }

    @Benchmark
    public void netty(Blackhole bh) {
        for (int f = 0; f < 16; f++) {
            netty.writeOutbound(new BinaryWebSocketFrame(nettyPayload.retainedDuplicate()));
        }
        for (Object o; (o = netty.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            bh.consume(b.readableBytes());
            b.release();
        }
    }
}
