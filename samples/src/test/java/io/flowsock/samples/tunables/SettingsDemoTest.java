package io.flowsock.samples.tunables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the demo once, small, and checks what each tunable did. */
class SettingsDemoTest {
    private static final long TRANSFER = 64L << 20;
    private static SettingsDemo.Report report;
    private static String printed;

    @BeforeAll
    static void runTheDemoSmall() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // 64 MiB cross loopback in tens of milliseconds (16 MiB could finish before the first sample):
        // sample every millisecond to see some.
        SettingsDemo.Options small = new SettingsDemo.Options(TRANSFER, 200, 50, Duration.ofMillis(1));
        report = CompletableFuture.supplyAsync(() -> SettingsDemo.run(small, out)).get(60, TimeUnit.SECONDS);
        printed = bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ftpdLikeBurstDetectionRaisesTheBuffersPerReadWithinTheCap() {
        BulkTransfer.Result r = report.ftpd();
        assertThat(r.bytes()).isEqualTo(TRANSFER);
        assertThat(r.beforeChange().cap()).isEqualTo(20);
        assertThat(r.beforeChange().maxInUse()).as("ABD under a fast sender").isGreaterThan(1).isLessThanOrEqualTo(20);
        assertThat(r.samples()).isNotEmpty();
        assertThat(r.samples()).allSatisfy(s -> assertThat(s.recvBurst().inUse()).isLessThanOrEqualTo(s.recvBurst().cap()));
        assertThat(r.samples()).filteredOn(s -> !s.afterChange())
                .allSatisfy(s -> assertThat(s.recvBurst().cap()).isEqualTo(20));
    }

    @Test
    void ftpdLikeLiveChangeToFourHoldsForEveryLaterRead() {
        BulkTransfer.Result r = report.ftpd();
        assertThat(r.afterChange().buffers()).as("buffers received after the change").isPositive();
        assertThat(r.afterChange().cap()).isEqualTo(4);
        assertThat(r.afterChange().maxInUse()).isBetween(1, 4);
        assertThat(r.samples()).filteredOn(BulkTransfer.Sample::afterChange)
                .allSatisfy(s -> {
                    assertThat(s.recvBurst().cap()).isEqualTo(4);
                    assertThat(s.recvBurst().inUse()).isLessThanOrEqualTo(4);
                });
    }

    @Test
    void ftpdLikeSenderNeverHasMoreThanTwentyBuffersInFlight() {
        BulkTransfer.Result r = report.ftpd();
        assertThat(r.maxSendInUse()).isBetween(1, 20);
        assertThat(r.samples()).allSatisfy(s -> {
            assertThat(s.sendCap().cap()).isEqualTo(20);
            assertThat(s.sendCap().inUse()).isLessThanOrEqualTo(20);
        });
    }

    @Test
    void httpdLikeBurstHasNoErrorsAndOneReceiveBufferPerRead() {
        ConnectionBurst.Result r = report.httpd();
        assertThat(r.connections()).isEqualTo(200);
        assertThat(r.errors()).isZero();
        assertThat(r.exchanges()).isEqualTo(200);
        assertThat(r.recvBurstCap()).isEqualTo(1);
        assertThat(r.maxRecvInUse()).isEqualTo(1);
        assertThat(r.samples()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.backlog().cap()).isEqualTo(500);
            assertThat(s.backlog().inUse()).isBetween(0, Runtime.getRuntime().availableProcessors());
        });
    }

    @Test
    void printsSamplesAndBothSummaries() {
        assertThat(printed).containsPattern("server recvBurst \\(20, *\\d+\\)   client sendCap \\(20, *\\d+\\)")
                .containsPattern("server recvBurst \\( 4, *[0-4]\\)\\*")
                .containsPattern("server backlog \\(500, \\d\\)")
                .containsPattern("FTPD-like: 64 MiB in \\d+ ms = \\d+ MiB/s")
                .contains("HTTPD-like: 200 connections in")
                .contains("errors 0");
    }
}
