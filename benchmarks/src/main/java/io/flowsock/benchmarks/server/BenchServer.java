package io.flowsock.benchmarks.server;

/** A contender's server, bound and accepting. */
interface BenchServer extends AutoCloseable {
    /** What runs underneath (transport, channel class, threads), printed on the READY line. */
    String describe();

    /** Connections accepted and not yet closed. */
    int connections();

    /** Stops accepting and closes every connection; bounded in time. */
    @Override
    void close();
}
