/**
 * The service-provider interface between the core and its backends (nio2 here, io_uring in its own
 * module). Not for applications: nothing here is stable API.
 */
package io.flowsock.core.spi;
