package io.flowsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
 * What decoding a read of masked client frames costs: flowsock's own WebSocket decoder (each
 * payload unmasked into the heap buffer its receiver then owns) against Netty's
 * {@code WebSocket08FrameDecoder} on an {@code EmbeddedChannel}, whose frames are pooled
 * {@code ByteBuf}s released here as a consumer must. One operation is one read of 16 frames of
 * {@code size} bytes. In io.flowsock.http because the decoder is package-private there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WebSocketDecodeBenchmark {
    @Param({"64", "16384"})
    int size;

    private byte[] wire;
    private WebSocketFrames.Decoder flowsock;
    private EmbeddedChannel netty;

    @Setup
    public void frames() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        for (int f = 0; f < 16; f++) {
            out.write(0x82);
            if (size < 126) {
                out.write(0x80 | size);
            } else {
                out.write(0x80 | 126);
                out.write(size >>> 8);
                out.write(size);
            }
            out.writeBytes(mask);
            for (int i = 0; i < size; i++) {
                out.write((byte) (i ^ mask[i & 3]));
            }
        }
        wire = out.toByteArray();
        flowsock = new WebSocketFrames.Decoder(1 << 20);
        netty = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true).maxFramePayloadLength(1 << 20).build()));
    }

    @Benchmark
    public void flowsock(Blackhole bh) {
        ByteBuffer in = ByteBuffer.wrap(wire);
        for (WebSocketFrames.Frame f; (f = flowsock.next(in)) != null; ) {
            bh.consume(f.payload());
        }
    }

    @Benchmark
    public void netty(Blackhole bh) {
        netty.writeInbound(Unpooled.wrappedBuffer(wire));
        for (Object f; (f = netty.readInbound()) != null; ) {
            ByteBuf content = ((WebSocketFrame) f).content();
            bh.consume(content.readableBytes());
            ((WebSocketFrame) f).release();
        }
    }
}
