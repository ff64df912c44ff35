package io.flowsock.samples.hello;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The two messages of the hello protocol, as the bytes that go on the wire (ASCII, no delimiter). */
final class Greeting {
    static final String HELLO = "hello";
    static final String HELLO_BACK = "hello back";

    private static final byte[] HELLO_BYTES = HELLO.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HELLO_BACK_BYTES = HELLO_BACK.getBytes(StandardCharsets.US_ASCII);

    private Greeting() {
    }

    // A buffer given to send belongs to the connection until the send ends, so each send gets its
    // own buffer. Wrapping the shared array is safe: the connection only reads it.
    static ByteBuffer hello() {
        return ByteBuffer.wrap(HELLO_BYTES);
    }

    static ByteBuffer helloBack() {
        return ByteBuffer.wrap(HELLO_BACK_BYTES);
    }
}
