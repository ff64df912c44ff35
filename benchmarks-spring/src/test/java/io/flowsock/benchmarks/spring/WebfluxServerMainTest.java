package io.flowsock.benchmarks.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.benchmarks.Child;
import io.flowsock.benchmarks.spring.app.BenchApp;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each webflux- contender's server JVM as the runner starts it: the module's classes plus the
 * class-path file the build wrote for it, a free port. It must name its own server on the READY
 * line, answer the three routes the same on either, and leave the other server off its class path.
 */
class WebfluxServerMainTest {
    private static final Path TARGET = Path.of("target");

    @ParameterizedTest
    @CsvSource({
        "webflux-flowsock, webServer=FlowsockWebServer, transport=DEFAULT",
        "webflux-reactor-netty, webServer=NettyWebServer, channel=EpollServerSocketChannel"
    })
    @Timeout(90)
    void eachContenderServesTheSameApplicationOnItsOwnServer(String contender, String server, String channel)
            throws Exception {
        String classpath = TARGET.resolve("classes") + File.pathSeparator
                + Files.readString(TARGET.resolve(contender + ".classpath")).trim();
        List<String> command = Child.java(Path.of(System.getProperty("java.home"), "bin", "java").toString(), classpath,
                List.of("-Xmx256m"), WebfluxServerMain.class.getName(), List.of(contender, "0"));
        try (Child child = Child.start(contender, command, TARGET.resolve("test-logs").resolve(contender + ".log"))) {
            String ready = child.await("READY", 80_000);
            // flowsock's default backend on the JDK 17 build: selector on Linux, nio2 elsewhere
            String expected = channel.replace("DEFAULT",
                    System.getProperty("os.name").startsWith("Linux") ? "selector" : "nio2");
            assertThat(ready).as("READY line; log:%n%s", child.logTail(30)).isNotNull().contains(server).contains(expected);
            Matcher port = Pattern.compile("port=(\\d+)").matcher(ready);
            assertThat(port.find()).isTrue();
            String base = "http://127.0.0.1:" + port.group(1);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

            HttpResponse<String> hello = get(http, base + "/hello");
            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo(BenchApp.HELLO);
            assertThat(hello.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));

            HttpResponse<String> json = get(http, base + "/json");
            assertThat(json.body()).isEqualTo(BenchApp.JSON);
            assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");

            HttpResponse<String> sse = get(http, base + "/sse?count=3");
            assertThat(sse.body()).isEqualTo("id:0\ndata:tick 0\n\nid:1\ndata:tick 1\n\nid:2\ndata:tick 2\n\n");
            assertThat(get(http, base + "/sse?count=x").statusCode()).isEqualTo(400);

            child.send("heap");
            assertThat(child.await("HEAP", 30_000)).as("HEAP reply").matches("\\d+");
            child.send("quit");
            assertThat(child.waitFor(30_000)).isEqualTo(0);
        }
    }

    @Test
    @Timeout(10)
    void aClassPathWithBothServersOrWithoutItsOwnIsRefusedNamingTheClass() {
        assertThatThrownBy(() -> WebfluxServerMain.requireServers("java.lang.String", "java.lang.Integer"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("java.lang.Integer is on the class path too");
        assertThatThrownBy(() -> WebfluxServerMain.requireServers("no.such.Server", "java.lang.Integer"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no.such.Server is not on the class path");
    }

    @Test
    @Timeout(10)
    void aCountOutsideItsBoundsOrNoNumberIsRefused() {
        assertThat(BenchApp.count("3")).isEqualTo(3);
        assertThat(BenchApp.count("-2")).isEqualTo(-1);
        assertThat(BenchApp.count("x")).isEqualTo(-1);
        assertThat(BenchApp.count("20000000")).isEqualTo(-1);
    }

    private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
