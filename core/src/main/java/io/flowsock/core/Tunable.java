package io.flowsock.core;

import io.flowsock.core.internal.Checks;
/**
 * One of IOCPSOCK's tunables read as the pair it always was: the cap that is configured and how
 * much of it is in use right now. {@code backlog}: accepts posted; {@code sendcap}: outbound
 * buffers requested and not yet fully written; {@code recvburst}: receive buffers the next read
 * will post. A snapshot: by the time it is read, the connection may have moved on.
 *
 * @param cap   the configured cap, at least 1
 * @param inUse how much of it is in use now, at least 0 (it may exceed {@code cap} briefly after
 *              the cap is lowered live, until in-flight work completes)
 */
public record Tunable(int cap, int inUse) {
    public Tunable {
        Checks.positive("cap", cap);
        if (inUse < 0) {
            throw new IllegalArgumentException("inUse must be >= 0, was " + inUse);
        }
    }
}
