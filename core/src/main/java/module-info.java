/**
 * flowsock's completion-port engine. Depends on nothing but the JDK.
 */
// the qualified export names a module that a JDK 17 build does not compile: not an error
@SuppressWarnings("module")
module io.flowsock.core {
    exports io.flowsock.core;
    exports io.flowsock.core.spi;
    // mechanisms every backend shares, for the io_uring backend's module, and the loan copy the
    // reactive layer shares with the core; neither is part of the user API
    exports io.flowsock.core.internal to io.flowsock.uring, io.flowsock.reactive, io.flowsock.http;

    uses io.flowsock.core.spi.TransportProvider;
}
