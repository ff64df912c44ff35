package io.flowsock.spring.boot;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Marks flowsock's completion port threads as non-blocking for this module's tests, which
 * blockhound-junit-platform runs under BlockHound: a WebFlux handler runs on the port thread that
 * read its request, so a blocking call anywhere on that path, in flowsock or in Spring, fails the test.
 * Spring's own allowances come with spring-core's integration, found the same way.
 */
public final class PortThreadsBlockHound implements BlockHoundIntegration {
    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.nonBlockingThreadPredicate(p -> p.or(t -> t.getName().startsWith("flowsock-nio2-")
                || t.getName().startsWith("flowsock-selector-") || t.getName().startsWith("flowsock-uring-")));
        // the JDK's NIO.2 event loop takes its fd-table read lock before each dispatch (see
        // flowsock-test-support's integration for the whole story); unavoidable on the nio2 backend
        builder.allowBlockingCallsInside("sun.nio.ch.EPollPort$EventHandlerTask", "poll");
        // TLS: the JDK's NativePRNG tops up from /dev/urandom, which never waits once the kernel's
        // pool is initialised (Linux 5.6+); Netty's own integration allows the same
        builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "readFully");
        // a port thread that ends goes back to the JDK's pool machinery, which parks it
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask");
    }
}
