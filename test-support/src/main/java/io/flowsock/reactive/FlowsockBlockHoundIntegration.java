package io.flowsock.reactive;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound that flowsock's completion port threads must never block. Loaded by
 * ServiceLoader when blockhound-junit-platform installs BlockHound for the test run.
 */
public final class FlowsockBlockHoundIntegration implements BlockHoundIntegration {
    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.nonBlockingThreadPredicate(p -> p.or(t -> t.getName().startsWith("flowsock-nio2-")
                || t.getName().startsWith("flowsock-selector-") || t.getName().startsWith("flowsock-uring-")
                || t.getName().startsWith("flowsock-test-port-")));
        // A port thread that ends (its transport closed) goes back to the JDK's pool machinery,
        // which parks it; that is the JDK's, not flowsock's, and happens after the port is gone.
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask");
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "processWorkerExit");
        // NIO.2 on Linux: the JDK's event loop takes the read side of its fd-to-channel lock before
        // each dispatch, and a channel opened or closed on another thread holds the write side for a
        // moment. That is the JDK's AsynchronousChannelGroup, which flowsock's nio2 backend cannot
        // avoid; the error BlockHound threw there ended a port thread and hung its connections.
        builder.allowBlockingCallsInside("sun.nio.ch.EPollPort$EventHandlerTask", "poll");
        // TLS: the JDK's default SecureRandom (NativePRNG) tops up its buffer from /dev/urandom,
        // a file read that never waits on Linux once the kernel's pool is initialised (5.6+:
        // urandom and getrandom never block after boot). Netty's own BlockHound integration
        // allows the same inside the JDK's SSLEngine.
        builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "readFully");
        // The Reactive Streams TCK's probes record signals in lock-based queues, which may park
        // for a moment when the test thread polls them; that is the probe's cost, not flowsock's.
        builder.allowBlockingCallsInside("org.reactivestreams.tck.TestEnvironment$Receptacle", "add");
        builder.allowBlockingCallsInside("org.reactivestreams.tck.TestEnvironment$Receptacle", "complete");
        builder.allowBlockingCallsInside("org.reactivestreams.tck.TestEnvironment$Promise", "complete");
        builder.allowBlockingCallsInside("org.reactivestreams.tck.TestEnvironment", "flop");
        builder.allowBlockingCallsInside("org.reactivestreams.tck.TestEnvironment", "flopAndFail");
    }
}
