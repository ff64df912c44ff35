package io.flowsock.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link ChannelHandler} that writes down what it gets; it can be told to throw from onData. */
final class RecordingHandler implements ChannelHandler {
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final List<Integer> sizes = new ArrayList<>();
    int ends;
    final List<Throwable> errors = new ArrayList<>();
    int closes;
    RuntimeException throwOnData;
    boolean discards;
    /** Run after each onData, on the port: a test reacts to data as a handler would. */
    Runnable afterData = () -> { };
    /** Run after onEnd, on the port. */
    Runnable afterEnd = () -> { };

    @Override
    public void onData(ByteBuffer b) {
        if (throwOnData != null) {
            throw throwOnData;
        }
        sizes.add(b.remaining());
        data.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        afterData.run();
    }

    @Override
    public void onEnd() {
        ends++;
        afterEnd.run();
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }

    @Override
    public void onClosed() {
        closes++;
    }

    @Override
    public boolean discardsInput() {
        return discards;
    }

    String text() {
        return data.toString(StandardCharsets.UTF_8);
    }
}
