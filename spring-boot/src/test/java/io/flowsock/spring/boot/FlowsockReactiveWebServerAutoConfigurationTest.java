package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** When the auto-configuration steps in and when it stands back; no server is started here. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FlowsockReactiveWebServerAutoConfigurationTest {
    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FlowsockReactiveWebServerAutoConfiguration.class));

    @Test
    void aReactiveApplicationGetsFlowsocksFactoryWithTheFlowsockProperties() {
        reactive.withPropertyValues("flowsock.sendcap=7", "flowsock.first-byte-timeout=3s").run(context -> {
            assertThat(context).hasSingleBean(FlowsockReactiveWebServerFactory.class);
            FlowsockServerProperties p = context.getBean(FlowsockServerProperties.class);
            assertThat(p.getSendcap()).isEqualTo(7);
            assertThat(p.getFirstByteTimeout()).hasSeconds(3);
            assertThat(p.getRecvburst()).isNull();
        });
    }

    @Test
    void anApplicationsOwnFactoryWins() {
        reactive.withUserConfiguration(OwnFactory.class).run(context -> {
            assertThat(context).hasSingleBean(ReactiveWebServerFactory.class);
            assertThat(context.getBean(ReactiveWebServerFactory.class)).isSameAs(context.getBean("own"));
        });
    }

    @Test
    void itStandsBackWithoutFlowsockHttp() {
        reactive.withClassLoader(new FilteredClassLoader(io.flowsock.http.HttpServer.class))
                .run(context -> assertThat(context).doesNotHaveBean(ReactiveWebServerFactory.class));
    }

    @Test
    void anApplicationThatIsNotReactiveWebIsLeftAlone() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FlowsockReactiveWebServerAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(ReactiveWebServerFactory.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnFactory {
        @Bean
        FlowsockReactiveWebServerFactory own() {
            return new FlowsockReactiveWebServerFactory(0);
        }
    }
}
