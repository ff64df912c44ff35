package io.flowsock.benchmarks.server;

/**
 * Prints {@code true} when Netty's io_uring transport can run in this JVM, else
 * {@code false <Netty's reason>}. A JVM of its own: Netty's native library registers its methods
 * against the system class loader, so the runner cannot load the transport beside its own.
 */
public final class IoUringProbe {
    private IoUringProbe() {
    }

    public static void main(String[] args) {
        boolean available = io.netty.channel.uring.IoUring.isAvailable();
        System.out.println(available ? "true" : "false " + io.netty.channel.uring.IoUring.unavailabilityCause());
        System.exit(0);
    }
}
