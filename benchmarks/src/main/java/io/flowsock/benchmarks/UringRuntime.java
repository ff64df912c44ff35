package io.flowsock.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the flowsock-uring contender's server finds what the benchmarks module itself (built on
 * JDK 17) does not have: a JDK 22+ ({@code -Dbench.uring.java}, default Temurin 25) and the
 * transport-uring classes ({@code -Dbench.uring.classes}, default the reactor's
 * {@code transport-uring/target/classes}, built by a JDK 22+ build). Without either the contender is
 * skipped with the reason.
 */
final class UringRuntime {
    private UringRuntime() {
    }

    static Path java() {
        return Path.of(System.getProperty("bench.uring.java", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
    }

    static Path classes() {
        String configured = System.getProperty("bench.uring.classes");
        if (configured != null) {
            return Path.of(configured);
        }
        Path here = Path.of("").toAbsolutePath();     // benchmarks/ under exec:exec, the root with java -cp
        Path sibling = here.resolveSibling("transport-uring").resolve("target").resolve("classes");
        return Files.isDirectory(sibling) ? sibling : here.resolve("transport-uring").resolve("target").resolve("classes");
    }

    /** Why the contender cannot run here, or empty. */
    static Optional<String> unavailable() {
        if (!Files.isExecutable(java())) {
            return Optional.of("no JDK 22+ at " + java() + " (set -Dbench.uring.java)");
        }
        if (!Files.isRegularFile(classes().resolve("io/flowsock/uring/UringProvider.class"))) {
            return Optional.of("no transport-uring classes at " + classes()
                    + " (build on JDK 22+: JAVA_HOME=<jdk25> ./mvnw -pl transport-uring -am package, or set -Dbench.uring.classes)");
        }
        return Optional.empty();
    }

    /** The server JVM's flags plus native access and the forced backend. */
    static List<String> serverJvm(List<String> base) {
        List<String> jvm = new ArrayList<>(base);
        jvm.add("--enable-native-access=ALL-UNNAMED");
        jvm.add("-Dflowsock.transport=uring");
        return List.copyOf(jvm);
    }

    static String classpath(String base) {
        return classes() + java.io.File.pathSeparator + base;
    }
}
