package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.http.HttpClient;
import io.flowsock.spring.FlowsockClientHttpConnector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Boot's WebClient.Builder gets flowsock's connector when Reactor Netty is absent, in place of the
 * JDK client Boot's own detection would pick; an application's own connector wins; the client is
 * disposed with the context.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FlowsockClientHttpConnectorAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FlowsockClientHttpConnectorAutoConfiguration.class,
                    ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class));

    @Test
    void webClientBuildersSendThroughFlowsockAndTheCustomizersShapeItsClient() {
        runner.withUserConfiguration(Customized.class).run(context -> {
            assertThat(context).hasSingleBean(FlowsockClientHttpConnector.class);
            assertThat(context).hasSingleBean(ClientHttpConnector.class);
            FlowsockClientHttpConnector connector = context.getBean(FlowsockClientHttpConnector.class);
            assertThat(connector.client()).isSameAs(context.getBean(HttpClient.class));
            assertThat(connector.client().baseUrl()).contains("http://127.0.0.1:9");
            assertThat(context).hasSingleBean(WebClient.Builder.class);
        });
    }

    @Test
    void theClientIsDisposedWithTheContext() {
        AtomicReference<HttpClient> client = new AtomicReference<>();
        runner.run(context -> client.set(context.getBean(HttpClient.class)));
        assertThat(client.get().isDisposed()).isTrue();
    }

    @Test
    void anApplicationsOwnConnectorWins() {
        runner.withUserConfiguration(OwnConnector.class).run(context -> {
            assertThat(context).hasSingleBean(ClientHttpConnector.class);
            assertThat(context).doesNotHaveBean(FlowsockClientHttpConnector.class);
            assertThat(context.getBean(ClientHttpConnector.class)).isInstanceOf(JdkClientHttpConnector.class);
        });
    }

    @Test
    void withoutFlowsockHttpBootsOwnDetectionChooses() {
        runner.withClassLoader(new FilteredClassLoader(HttpClient.class)).run(context -> {
            assertThat(context).doesNotHaveBean(FlowsockClientHttpConnector.class);
            assertThat(context).hasSingleBean(ClientHttpConnector.class);
        });
    }

    @Test
    void withoutBootsHttpClientModuleItMakesNoClient() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FlowsockClientHttpConnectorAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.http.client"))
                .run(context -> assertThat(context).doesNotHaveBean(HttpClient.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Customized {
        @Bean
        FlowsockHttpClientCustomizer small() {
            return client -> client.baseUrl("http://127.0.0.1:9").responseTimeout(Duration.ofSeconds(5));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnConnector {
        @Bean
        ClientHttpConnector own() {
            return new JdkClientHttpConnector();
        }
    }
}
