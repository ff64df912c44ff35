package io.flowsock.benchmarks.spring;

import io.flowsock.core.Transport;

/** flowsock's backend for the READY line, as the plain flowsock contenders say it. Loaded on the flowsock class path only. */
final class FlowsockTransport {
    private FlowsockTransport() {
    }

    static String describe() {
        Transport t = Transport.shared();
        return "transport=" + t.name() + " ports=" + t.ports().size();
    }
}
