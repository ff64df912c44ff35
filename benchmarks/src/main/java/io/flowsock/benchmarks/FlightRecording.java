package io.flowsock.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The JFR recording a --profile run takes of a server's timed phase and of a load's life: JFR's
 * "profile" settings (what {@code -XX:StartFlightRecording:settings=profile} records), with Java
 * execution sampled every millisecond rather than every 10 or 20: a timed phase of one or two
 * seconds, its thread mostly in syscalls, would otherwise leave a handful of samples.
 */
public final class FlightRecording {
    static final Duration EXECUTION_PERIOD = Duration.ofMillis(1);

    private FlightRecording() {
    }

    /**
     * A started recording that {@link Recording#stop()} writes to {@code file}; with a null file,
     * one that is never written: a server records the warm-up so, to have compiled JFR's own code
     * before the timed phase and its JIT settle.
     */
    public static Recording start(Path file) throws IOException {
        Recording recording;
        try {
            recording = new Recording(Configuration.getConfiguration("profile"));
        } catch (ParseException e) {
            throw new IOException("the JDK's own profile.jfc does not parse", e);
        }
        recording.enable("jdk.ExecutionSample").withPeriod(EXECUTION_PERIOD);
        if (file != null) {
            recording.setDestination(file);
        }
        recording.start();
        return recording;
    }
}
