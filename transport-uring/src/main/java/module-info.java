/**
 * flowsock's io_uring backend, through the FFM API: JDK 22+ on Linux. Exports nothing; the core
 * finds it as a {@link io.flowsock.core.spi.TransportProvider}.
 */
module io.flowsock.uring {
    requires io.flowsock.core;

    provides io.flowsock.core.spi.TransportProvider with io.flowsock.uring.UringProvider;
}
