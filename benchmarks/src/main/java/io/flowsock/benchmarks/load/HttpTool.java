package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One run of an external HTTP load generator (wrk, h2load, ab): its command, its whole output
 * (stdout and stderr together), copied to this load's log so each run can be read again by hand.
 * Bounded: a tool still running after its time is killed and the run fails.
 */
public final class HttpTool {
    private HttpTool() {
    }

    /** The tool's output and exit code. */
    record Output(String text, int exit) {
    }

    /** Runs {@code command} to its end, or kills it after {@code timeoutMs}. */
    static Output run(List<String> command, long timeoutMs) throws IOException {
        System.err.println("$ " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        });
        try {
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IOException(command.get(0) + " still running after " + timeoutMs + " ms: killed");
            }
            String text = out.get(5, TimeUnit.SECONDS);
            System.err.println(text);
            return new Output(text, p.exitValue());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command.get(0) + " ran", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("cannot read the output of " + command.get(0), e);
        }
    }

    /** Where {@code name} is on the PATH, if anywhere: what {@code which} would say. */
    public static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
