package io.flowsock.core;

/** Holder of the JVM-wide transport, created on first use (class initialisation is the lock). */
final class SharedTransport {
    static final Transport INSTANCE = Transport.auto();

    private SharedTransport() {
    }
}
