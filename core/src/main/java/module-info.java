/**
 * flowsock's completion-port engine. Depends on nothing but the JDK.
 */
module io.flowsock.core {
    exports io.flowsock.core;
    exports io.flowsock.core.spi;
}
