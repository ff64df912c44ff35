package io.flowsock.benchmarks;

import java.io.File;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What the tests that start the runner's child JVMs hand them as their class path. */
final class RunnerClassPath {
    private RunnerClassPath() {
    }

    /**
     * The test class path as the runner's would be: surefire keeps the real one in
     * surefire.test.class.path, and it has the provided io_uring jars, on which Reactor Netty's
     * preferNative would leave epoll (the runner gives them to reactor-netty-uring alone).
     */
    static String get() {
        String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(all.split(File.pathSeparator)).filter(e -> !e.contains("io_uring"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
