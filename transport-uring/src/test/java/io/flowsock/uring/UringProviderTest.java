package io.flowsock.uring;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A JDK 17 JVM on Linux with the uring jar on its class path: auto falls back to selector and says why. */
class UringProviderTest {
    private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

    @Test
    void onJdk17AutoFallsBackToNio2SayingWhyAndForcingUringFailsWithTheReason() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK17), "no JDK 17 at " + JDK17);
        Path dir = Files.createTempDirectory("flowsock-jdk17");
        Path program = dir.resolve("Probe.java");
        Files.writeString(program, """
                public class Probe {
                    public static void main(String[] args) {
                        System.out.println("auto=" + io.flowsock.core.Transport.of("auto", 1).name());
                        try {
                            io.flowsock.core.Transport.of("uring", 1);
                            System.out.println("forced=started");
                        } catch (UnsupportedOperationException e) {
                            System.out.println("forced=" + e.getMessage());
                        }
                    }
                }
                """);
        String classpath = location(Transport.class) + java.io.File.pathSeparator + location(UringProvider.class);
        Process p = new ProcessBuilder(JDK17.toString(), "-cp", classpath, program.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("JDK 17's output").contains("auto=selector")
                .contains("forced=the uring backend cannot run here: the uring backend needs JDK 22+")
                .containsOnlyOnce("INFO")
                .contains("using the selector backend; uring unavailable: the uring backend needs JDK 22+");
        Files.delete(program);
        Files.delete(dir);
    }

    private static String location(Class<?> c) throws IOException {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
