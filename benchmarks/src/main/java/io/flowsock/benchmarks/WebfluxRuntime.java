package io.flowsock.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the webflux- contenders' server JVMs find the WebFlux application and its two class paths:
 * the benchmarks-spring module's build output ({@code -Dbench.webflux.dir}, default the reactor's
 * {@code benchmarks-spring/target}), which holds its classes and one class-path file per
 * contender ({@code webflux-flowsock.classpath}, {@code webflux-reactor-netty.classpath}: the same
 * Spring, each with its own server only). Spring never enters this module's class path, so the
 * plain contenders' figures do not depend on it. Without that build the contenders are skipped
 * with the reason.
 */
final class WebfluxRuntime {
    static final String MAIN = "io.flowsock.benchmarks.spring.WebfluxServerMain";

    private WebfluxRuntime() {
    }

    static Path dir() {
        String configured = System.getProperty("bench.webflux.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        Path here = Path.of("").toAbsolutePath();     // benchmarks/ under exec:exec, the root with java -cp
        Path sibling = here.resolveSibling("benchmarks-spring").resolve("target");
        return Files.isDirectory(sibling) ? sibling : here.resolve("benchmarks-spring").resolve("target");
    }

    /**
     * The class-path file of {@code c}: webflux-flowsock-uring and webflux-flowsock-jdk25 run on
     * webflux-flowsock's, webflux-reactor-netty-jdk25 on webflux-reactor-netty's.
     */
    private static Path classpathFile(Contender c) {
        Contender own = c.server.startsWith(Contender.WEBFLUX_FLOWSOCK.id) ? Contender.WEBFLUX_FLOWSOCK : Contender.WEBFLUX_REACTOR_NETTY;
        return dir().resolve(own.id + ".classpath");
    }

    /** Why the webflux- contenders cannot run here, or empty. */
    static Optional<String> unavailable() {
        if (!Files.isRegularFile(dir().resolve("classes").resolve(MAIN.replace('.', '/') + ".class"))) {
            return Optional.of("no benchmarks-spring classes at " + dir().resolve("classes")
                    + " (./mvnw -pl benchmarks-spring -am -DskipTests package, or set -Dbench.webflux.dir)");
        }
        for (Contender c : List.of(Contender.WEBFLUX_FLOWSOCK, Contender.WEBFLUX_REACTOR_NETTY)) {
            if (!Files.isRegularFile(classpathFile(c))) {
                return Optional.of("no " + classpathFile(c) + " (./mvnw -pl benchmarks-spring -am -DskipTests package writes it)");
            }
        }
        return Optional.empty();
    }

    /**
     * The server JVM's class path: the application's classes, then the contender's own jars; for
     * webflux-flowsock-uring the transport-uring classes first ({@link UringRuntime}).
     */
    static String classpath(Contender c) {
        try {
            String cp = dir().resolve("classes") + File.pathSeparator
                    + Files.readString(classpathFile(c), StandardCharsets.UTF_8).trim();
            return c.isUring() ? UringRuntime.classpath(cp) : cp;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + classpathFile(c), e);
        }
    }

    /**
     * The versions that matter on the two class paths, from their jar names: Spring Boot, Spring
     * WebFlux, Jackson, Reactor Netty and Netty; for the table's header.
     */
    static String versions() {
        List<String> wanted = List.of("spring-boot-", "spring-webflux-", "jackson-databind-", "reactor-core-",
                "reactor-netty-http-", "netty-codec-http-");
        java.util.Set<String> found = new java.util.LinkedHashSet<>();
        for (Contender c : List.of(Contender.WEBFLUX_FLOWSOCK, Contender.WEBFLUX_REACTOR_NETTY)) {
            for (String entry : classpath(c).split(File.pathSeparator)) {
                String name = Path.of(entry).getFileName().toString();
                for (String w : wanted) {
                    if (name.startsWith(w) && name.endsWith(".jar") && Character.isDigit(name.charAt(w.length()))) {
                        found.add(name.substring(0, name.length() - ".jar".length()));
                    }
                }
            }
        }
        return String.join(", ", found);
    }

    /** The server's arguments after the main class. */
    static List<String> args(Contender c, int port) {
        return List.of(c.server, Integer.toString(port));
    }
}
