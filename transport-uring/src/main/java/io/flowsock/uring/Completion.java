package io.flowsock.uring;

/** An owner of operations: a socket, a listener slot. */
interface Completion {
    /** The completion of operation {@code op}: the result and the CQE flags. */
    void complete(int op, int res, int flags);

    /** The port is closing: cancel what is posted and close the descriptor once it is answered. */
    default void abandon() {
    }

    /** The port gave up waiting for this owner's operations: release what does not touch their memory. */
    default void lost() {
    }
}
