package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * flowsock-reactive declares Micrometer optional: this runs {@link WithoutMicrometerProgram} in a
 * child JVM whose class path is this one's with every Micrometer jar left out, and reads its verdict.
 */
class WithoutMicrometerTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void plainAndWiretappedEchoesWorkAndMetricsTrueIsRefusedNamingTheArtifact(@TempDir Path dir) throws Exception {
        // surefire runs tests from a manifest-only jar; the real class path is in surefire.test.class.path
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = Arrays.asList(full.split(File.pathSeparator));
        List<String> kept = entries.stream().filter(e -> !Path.of(e).getFileName().toString().contains("micrometer"))
                .toList();
        assertThat(entries.size() - kept.size()).as("Micrometer jars left out of %s", entries).isPositive();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("child.out");
        String classPath = kept.stream().collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", classPath, WithoutMicrometerProgram.class.getName())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the child ended within 90 s").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("RESULT ok: plain and wiretapped echo; metrics(true) refused: ")
                .contains("io.micrometer:micrometer-core").doesNotContain("NoClassDefFoundError");
    }
}
