package io.flowsock.spring.boot;

import io.flowsock.http.HttpClient;
import java.util.function.Function;

/**
 * Changes the {@link HttpClient} behind the WebClient connector that
 * {@link FlowsockClientHttpConnectorAutoConfiguration} makes: a bean of this type is applied in order.
 *
 * <pre>{@code
 * @Bean
 * FlowsockHttpClientCustomizer pool() {
 *     return client -> client.maxConnections(64).responseTimeout(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Called once, on the thread that starts the application context;
 * {@code HttpClient} is immutable, so return the changed copy.
 */
@FunctionalInterface
public interface FlowsockHttpClientCustomizer extends Function<HttpClient, HttpClient> {
    @Override
    HttpClient apply(HttpClient client);
}
