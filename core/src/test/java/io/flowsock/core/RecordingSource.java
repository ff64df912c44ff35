package io.flowsock.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link SendSource} that writes down the channel's requests and answers; the test offers. */
final class RecordingSource implements SendSource {
    volatile Send send;
    long requested;
    final List<Long> requests = new ArrayList<>();
    int cancels;
    int sent;
    final List<Throwable> failures = new ArrayList<>();

    @Override
    public void onStart(Send send) {
        this.send = send;
    }

    @Override
    public void request(long n) {
        requested += n;
        requests.add(n);
    }

    @Override
    public void cancel() {
        cancels++;
    }

    @Override
    public void onSent() {
        sent++;
    }

    @Override
    public void onFailed(Throwable error) {
        failures.add(error);
    }

    void offer(String text) {
        send.offer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether the send was answered, either way. */
    boolean answered() {
        return sent + failures.size() > 0;
    }
}
