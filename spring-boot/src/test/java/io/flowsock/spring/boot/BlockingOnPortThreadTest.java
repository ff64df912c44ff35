package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * This module's tests run under BlockHound with flowsock's port threads marked non-blocking: a
 * handler that sleeps on the port thread is caught (the request fails, the thread is named),
 * and the same work moved to a scheduler meant for blocking is served.
 */
@SpringBootTest(classes = BlockingOnPortThreadTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BlockingOnPortThreadTest {
    static final AtomicReference<Throwable> caught = new AtomicReference<>();
    static final AtomicReference<String> caughtOn = new AtomicReference<>();

    @LocalServerPort
    int port;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        RouterFunction<ServerResponse> routes() {
            return route(GET("/sleep-on-port"), r -> Mono.fromCallable(BlockingOnPortThreadTest::sleep)
                            .doOnError(e -> {
                                caughtOn.set(Thread.currentThread().getName());
                                caught.set(e);
                            })
                            .flatMap(s -> ServerResponse.ok().bodyValue(s)))
                    .andRoute(GET("/sleep-elsewhere"), r -> Mono.fromCallable(BlockingOnPortThreadTest::sleep)
                            .subscribeOn(Schedulers.boundedElastic())
                            .flatMap(s -> ServerResponse.ok().bodyValue(s)));
        }
    }

    private static String sleep() throws InterruptedException {
        Thread.sleep(1);
        return "slept on " + Thread.currentThread().getName();
    }

    @Test
    void sleepingOnAPortThreadIsCaughtAndSleepingOnBoundedElasticIsServed() {
        Clients.webTestClient(port).get().uri("/sleep-on-port").exchange().expectStatus().is5xxServerError();
        assertThat(caught.get()).isNotNull();
        assertThat(caught.get().getClass().getName()).isEqualTo("reactor.blockhound.BlockingOperationError");
        assertThat(caught.get().getMessage()).contains("java.lang.Thread.sleep");
        assertThat(caughtOn.get()).startsWith("flowsock-");

        Clients.webTestClient(port).get().uri("/sleep-elsewhere").exchange().expectStatus().isOk()
                .expectBody(String.class).value(s -> assertThat(s).startsWith("slept on boundedElastic-"));
    }
}
