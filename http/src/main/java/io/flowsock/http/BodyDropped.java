package io.flowsock.http;

/**
 * Why a late subscriber of a request body gets nothing. Made on every request whose end the
 * parser has not reported yet when the response is written (every GET: the end comes with the
 * next parse), and rarely read: so no stack trace, which would only show the connection's loop,
 * and the message is formatted when asked for.
 */
final class BodyDropped extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient ServerRequest request;

    BodyDropped(ServerRequest request) {
        this.request = request;
    }

    @Override
    public String getMessage() {
        return "the exchange of " + request + " ended before its body was read; the rest of the body is dropped";
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
