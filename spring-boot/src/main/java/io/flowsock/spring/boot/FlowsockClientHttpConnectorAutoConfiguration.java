package io.flowsock.spring.boot;

import io.flowsock.http.HttpClient;
import io.flowsock.spring.FlowsockClientHttpConnector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.reactive.ClientHttpConnector;

/**
 * Makes flowsock's HTTP client the connector of every {@code WebClient.Builder} Boot configures,
 * under the server's condition: flowsock-http on the class path and Reactor Netty not (Boot would
 * otherwise choose Reactor Netty's client, as it does its server). It runs before Boot's own
 * connector detection, which then finds this connector and adds none; a {@link ClientHttpConnector}
 * or flowsock {@link HttpClient} bean of the application's own wins.
 *
 * <p>It applies where Boot would make a connector itself: with spring-boot-http-client on the class
 * path (spring-boot-webclient brings it). The client is {@link HttpClient#create()} changed by every {@link FlowsockHttpClientCustomizer}
 * bean in order, and is disposed (its pooled connections closed) with the application context.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.web.reactive.function.client.WebClient", "io.flowsock.http.HttpClient",
        "org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder"})
@ConditionalOnMissingClass("reactor.netty.http.client.HttpClient")
public class FlowsockClientHttpConnectorAutoConfiguration {
    @Bean(destroyMethod = "dispose")
    @ConditionalOnMissingBean(HttpClient.class)
    HttpClient flowsockHttpClient(ObjectProvider<FlowsockHttpClientCustomizer> customizers) {
        HttpClient client = HttpClient.create();
        for (FlowsockHttpClientCustomizer c : customizers.orderedStream().toList()) {
            client = c.apply(client);
        }
        return client;
    }

    @Bean
    @ConditionalOnMissingBean(ClientHttpConnector.class)
    FlowsockClientHttpConnector flowsockClientHttpConnector(HttpClient flowsockHttpClient) {
        return new FlowsockClientHttpConnector(flowsockHttpClient);
    }
}
