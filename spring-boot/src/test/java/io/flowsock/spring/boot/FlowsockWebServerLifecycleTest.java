package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The application started with SpringApplication, as in production: properties, customizers, graceful stop. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockWebServerLifecycleTest {
    /** What the customizer saw on the first accepted connection: "sendcap/recvburst". */
    static final AtomicReference<String> tunables = new AtomicReference<>();

    @Configuration(proxyBeanMethods = false)
    @Import(WebFluxApp.class)
    static class CustomizedApp {
        @Bean
        FlowsockServerCustomizer recordTunables() {
            return server -> server.tcp(tcp -> tcp.doOnConnection(
                    conn -> tunables.compareAndSet(null, conn.sendCap().cap() + "/" + conn.recvBurst().cap())));
        }

        @Bean
        FlowsockServerCustomizer smallHeads() {
            return server -> server.maxHeaderSize(4096);
        }
    }

    @Test
    void propertiesAndCustomizersReachTheServerAndGracefulShutdownFinishesAnExchangeInFlight() throws Exception {
        WebFluxApp.slowArrived = new CountDownLatch(1);
        ConfigurableApplicationContext context = SpringApplication.run(CustomizedApp.class,
                "--server.port=0", "--server.address=127.0.0.1", "--server.shutdown=graceful",
                "--server.server-header=flowsock-test", "--spring.lifecycle.timeout-per-shutdown-phase=10s",
                "--flowsock.sendcap=3", "--flowsock.recvburst=5", "--flowsock.backlog=64",
                "--flowsock.first-byte-timeout=20s", "--spring.main.banner-mode=off");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        assertThat(port).isPositive();
        var http = Clients.jdk();

        HttpResponse<String> hello = http.send(get(port, "/hello"), HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.headers().firstValue("Server")).hasValue("flowsock-test");
        assertThat(tunables.get()).isEqualTo("3/5");
        HttpResponse<String> bigHead = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                .header("X-Big", "x".repeat(5000)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bigHead.statusCode()).isEqualTo(431);

        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(get(port, "/slow"), HttpResponse.BodyHandlers.ofString());
        assertThat(WebFluxApp.slowArrived.await(10, TimeUnit.SECONDS)).isTrue();
        context.close();   // graceful: waits for /slow, which is still sleeping

        HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).isEqualTo("finished");
        assertThat(((WebServerApplicationContext) context).getWebServer().getPort()).isEqualTo(-1);
        assertThatThrownBy(() -> Clients.jdk().send(get(port, "/hello"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
    }
}
