package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import reactor.core.CoreSubscriber;

/**
 * Whole answers to pipelined requests that arrived in one read, joined into one buffer and sent
 * as one, so that they leave in one write whatever {@code sendcap} lets a connection keep in
 * flight (one buffer per answer would be four writes for sixteen answers at the server's default
 * of four). Each answer's end is told when the joined write ends. Used once: made by the second
 * answer ({@link Pipeline} holds a first alone), sent when the connection's loop lets go of the
 * buffer or before anything else is sent.
 */
final class ResponseBatch extends EndSubscriber {
    /** Past this many bytes an answer is sent in a batch of its own: the joined copy stays small. */
    static final int MAX_BYTES = 64 * 1024;

    private final ArrayList<ByteBuffer> answers = new ArrayList<>(Pipeline.READ_AHEAD);
    private final ArrayList<CoreSubscriber<Void>> ends = new ArrayList<>(Pipeline.READ_AHEAD);
    private int bytes;

    /** Whether {@code answer} fits beside what is gathered. */
    boolean fits(ByteBuffer answer) {
        return bytes + answer.remaining() <= MAX_BYTES;
    }

    void add(ByteBuffer answer, CoreSubscriber<Void> end) {
        answers.add(answer);
        ends.add(end);
        bytes += answer.remaining();
    }

    /** The answers in order, as one buffer. */
    ByteBuffer joined() {
        byte[] all = new byte[bytes];
        int at = 0;
        for (ByteBuffer a : answers) {
            int n = a.remaining();
            a.get(a.position(), all, at, n);
            at += n;
        }
        return ByteBuffer.wrap(all);
    }

    @Override
    public void onComplete() {
        for (CoreSubscriber<Void> end : ends) {
            end.onComplete();
        }
    }

    @Override
    public void onError(Throwable e) {
        for (CoreSubscriber<Void> end : ends) {
            end.onError(e);
        }
    }
}
