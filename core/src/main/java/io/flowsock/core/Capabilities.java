package io.flowsock.core;

/**
 * What a backend can do, which the core maps the tunables onto: {@code backlog} onto posted
 * accepts, {@code recvburst} onto posted reads and scatter width, {@code sendcap} onto gather
 * width. A weaker backend degrades the tunables, it never rejects them.
 *
 * @param postedAccepts  accepts one listener can keep posted at once (NIO.2: 1)
 * @param postedReads    reads one connection can keep posted at once (NIO.2: 1)
 * @param maxScatter     buffers one read may scatter into
 * @param maxGather      buffers one write may gather from
 * @param cancellableReads whether a posted read can be withdrawn without losing the connection
 *                         (NIO.2: no; cancelling a pending read disables reading for good)
 */
public record Capabilities(int postedAccepts, int postedReads, int maxScatter, int maxGather,
                           boolean cancellableReads) {
    public Capabilities {
        if (postedAccepts < 1 || postedReads < 1 || maxScatter < 1 || maxGather < 1) {
            throw new IllegalArgumentException("capabilities must all be >= 1, were accepts=" + postedAccepts
                    + " reads=" + postedReads + " scatter=" + maxScatter + " gather=" + maxGather);
        }
    }
}
