package io.flowsock.uring;

/**
 * The 64-bit user data an SQE carries to its CQE: the owner's registration id above the low
 * byte, the owner's own operation code in it. Id 0 marks cancel requests, whose completions are
 * not needed and reach no owner.
 */
final class UserData {
    /** The user data of a cancel request. */
    static final long CANCEL = 0L;

    private UserData() {
    }

    static long encode(int id, int op) {
        return ((long) id << 8) | (op & 0xff);
    }

    static int id(long userData) {
        return (int) (userData >>> 8);
    }

    static int op(long userData) {
        return (int) userData & 0xff;
    }
}
