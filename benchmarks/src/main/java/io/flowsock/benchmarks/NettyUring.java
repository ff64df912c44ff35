package io.flowsock.benchmarks;

import io.flowsock.benchmarks.server.IoUringProbe;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the reactor-netty-uring contender's server finds Netty's io_uring transport: the
 * {@code netty-transport-classes-io_uring} and {@code netty-transport-native-io_uring}
 * ({@code linux-x86_64}) jars of the Netty version on the runner's class path, in the local Maven
 * repository ({@code -Dmaven.repo.local}, default {@code ~/.m2/repository}). They go on that
 * server's class path only: where they are present, Reactor Netty's preferNative picks io_uring
 * before epoll, so the reactor-netty-epoll server must not see them. Whether io_uring works here
 * is asked of a probe JVM ({@link IoUringProbe}) with that class path.
 */
final class NettyUring {
    private static final String GROUP = "io/netty";

    private NettyUring() {
    }

    static String nettyVersion() {
        String v = io.netty.channel.Channel.class.getPackage().getImplementationVersion();
        return v != null ? v : "4.2.18.Final";
    }

    static List<Path> jars() {
        Path repo = Path.of(System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        String v = nettyVersion();
        return List.of(
                repo.resolve(GROUP).resolve("netty-transport-classes-io_uring").resolve(v)
                        .resolve("netty-transport-classes-io_uring-" + v + ".jar"),
                repo.resolve(GROUP).resolve("netty-transport-native-io_uring").resolve(v)
                        .resolve("netty-transport-native-io_uring-" + v + "-linux-x86_64.jar"));
    }

    /**
     * Why the contender cannot run here, or empty: a jar is missing, or {@code IoUring.isAvailable()}
     * is false (the kernel refuses io_uring, for example), with Netty's own reason.
     */
    static Optional<String> unavailable() {
        for (Path jar : jars()) {
            if (!Files.isRegularFile(jar)) {
                return Optional.of("no " + jar + " (./mvnw -pl benchmarks -am package resolves it)");
            }
        }
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classpath(System.getProperty("java.class.path")), IoUringProbe.class.getName())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("the io_uring probe JVM did not finish");
            }
            return out.equals("true") ? Optional.empty()
                    : Optional.of("IoUring.isAvailable() is false: " + out.replaceFirst("^false ", ""));
        } catch (java.io.IOException e) {
            return Optional.of("cannot run the io_uring probe: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    static String classpath(String base) {
        return jars().get(0) + File.pathSeparator + jars().get(1) + File.pathSeparator + base;
    }
}
