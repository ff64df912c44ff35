package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Boot's {@code server.compression.*} properties, end to end on flowsock's server. */
@SpringBootTest(classes = FlowsockCompressionTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.shutdown=immediate", "server.compression.enabled=true",
                "server.compression.min-response-size=1KB"})
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockCompressionTest {
    static final String TEXT = "a line of text that compresses\n".repeat(200);

    @LocalServerPort
    int port;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        RouterFunction<ServerResponse> routes() {
            return route(GET("/text"), r -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue(TEXT))
                    .andRoute(GET("/small"), r -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("tiny"));
        }
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return Clients.jdk().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept-Encoding", "gzip").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aLargeEnoughTextResponseIsGzippedAndASmallOneIsNot() throws Exception {
        HttpResponse<byte[]> text = get("/text");
        assertThat(text.headers().firstValue("Content-Encoding")).contains("gzip");
        assertThat(text.body().length).isLessThan(TEXT.length() / 4);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(text.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
        HttpResponse<byte[]> small = get("/small");
        assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo("tiny");
    }
}
