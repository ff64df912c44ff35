package io.flowsock.samples.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HelloDemoTest {
    @Test
    void printsOneLinePerSecondAndTheSummary() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        // Port 0 here: a test run is short, and a fixed port could be taken by a running demo.
        HelloResult r = CompletableFuture.supplyAsync(() -> HelloDemo.run(new HelloDemo.Options(2, 4, 0), out))
                .get(30, TimeUnit.SECONDS);

        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(printed);   // kept in the surefire report
        assertThat(printed).containsPattern("(?m)^  1s +\\d+ exchanges/s  connect errors 0  other errors 0$");
        assertThat(printed).contains(r.summary());
        assertThat(r.summary()).matches("hello: \\d+ exchanges in \\d+\\.\\d s = \\d+ exchanges/s,"
                + " connect errors 0, other errors 0");
        assertThat(r.exchanges()).isPositive();
    }

    @Test
    void parsesItsOptionsAndNamesAWrongOne() {
        assertThat(HelloDemo.Options.parse()).isEqualTo(new HelloDemo.Options(10, 32, 7010));
        assertThat(HelloDemo.Options.parse("--port", "0", "--seconds", "3", "--concurrency", "8"))
                .isEqualTo(new HelloDemo.Options(3, 8, 0));
        assertThatThrownBy(() -> HelloDemo.Options.parse("--loops", "8")).hasMessageContaining("--loops");
        assertThatThrownBy(() -> HelloDemo.Options.parse("--seconds", "0")).hasMessageContaining("seconds");
    }
}
