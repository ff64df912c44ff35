package io.flowsock.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM (server or load generator) and its pipes: stdout lines arrive in a queue, stdin
 * takes commands, stderr goes to a log file. Every child is killed on {@link #close()}, and by a
 * shutdown hook if the runner itself is stopped, so none outlives the run.
 */
public final class Child implements AutoCloseable {
    /** Children started and not yet closed; the shutdown hook kills what is left. */
    private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();
    private static final String EOF = new String("<eof>");   // identity marks the end of stdout

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(c -> c.process.destroyForcibly()),
                "bench-kill-children"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private boolean ended;

    private Child(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        Thread reader = new Thread(this::readStdout, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    public static Child start(String name, List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        Process process = pb.start();
        Child child = new Child(name, process, log);
        LIVE.add(child);
        return child;
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the child died or was killed: the end of its output is all that matters
        } finally {
            lines.add(EOF);
        }
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The next stdout line; null at the end of output or when {@code timeoutMs} passed first. */
    public String nextLine(long timeoutMs) throws InterruptedException {
        if (ended) {
            return null;
        }
        String line = lines.poll(Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
        if (line == EOF) {
            ended = true;
            return null;
        }
        return line;
    }

    /** Whether stdout has ended (the child closed it or died). */
    public boolean ended() {
        return ended;
    }

    /** The next stdout line starting with {@code word + " "}, skipping others; null on timeout or end. */
    public String await(String word, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return null;
            }
            String line = nextLine(left);
            if (line == null) {
                return null;
            }
            if (line.startsWith(word + " ")) {
                return line.substring(word.length() + 1);
            }
        }
    }

    public void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** Waits up to {@code timeoutMs} for the exit; the exit code, or null if still running. */
    public Integer waitFor(long timeoutMs) throws InterruptedException {
        return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** The last {@code n} lines of the child's stderr log. */
    public String logTail(int n) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public Path log() {
        return log;
    }

    /**
     * The command that runs {@code main} in a fresh JVM of the given java binary and class path:
     * {@code java <jvm flags> -cp <class path> <main> <args>}.
     */
    public static List<String> java(String javaBin, String classpath, List<String> jvm, String main,
                                    List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", classpath, main));
        cmd.addAll(args);
        return cmd;
    }

    /** Asks politely (SIGTERM), then kills; returns once the process is gone and its stdin is closed. */
    @Override
    public void close() {
        try {
            closeStdin();
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(this);
        }
    }

    /** The pipe to the child's stdin is the runner's file descriptor: close it, not leave it to GC. */
    private void closeStdin() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the child is gone and the pipe broken: closing is all that was wanted
        }
    }
}
