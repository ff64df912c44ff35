package io.flowsock.uring;

/**
 * An owner of operations on one port (a socket, a listener slot) as the port knows it: the id its
 * user data carries and the count of its operations whose final completion has not come yet. The
 * port counts a submission here and a final completion (one without {@code CQE_F_MORE}) before
 * the owner sees it, so the owner reads, in its completion, how many are still to come. The id
 * is given back only once that count is zero, so a stale completion never reaches a new owner.
 *
 * <p>Runs only on its port's thread.
 */
final class Registration {
    final int id;
    final Completion owner;
    private int pending;

    Registration(int id, Completion owner) {
        this.id = id;
        this.owner = owner;
    }

    /** Operations submitted whose final completion has not come. */
    int pending() {
        return pending;
    }

    long userData(int op) {
        return UserData.encode(id, op);
    }

    void submitted() {
        pending++;
    }

    /** Counts a completion with {@code cqeFlags}; true when it was its operation's last. */
    boolean completed(int cqeFlags) {
        if ((cqeFlags & Ring.CQE_F_MORE) != 0) {
            return false;
        }
        pending--;
        return true;
    }
}
