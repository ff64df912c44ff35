package io.flowsock.benchmarks.spring;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Which channel Reactor Netty's server bound (epoll or NIO), for the READY line: a
 * {@link NettyServerCustomizer} that only watches the bind, added to the context by the launcher,
 * not by the application. Loaded on the Reactor Netty class path only.
 */
final class ReactorNettyChannel {
    /** Written once by the server's bind callback, read by the main thread after Boot's run returned. */
    private static volatile String channel = "unbound";

    private ReactorNettyChannel() {
    }

    static void register(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean("benchChannelProbe", NettyServerCustomizer.class,
                () -> server -> server.doOnBound(bound -> channel = bound.channel().getClass().getSimpleName()));
    }

    static String describe() {
        return "channel=" + channel;
    }
}
