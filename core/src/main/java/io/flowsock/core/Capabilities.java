package io.flowsock.core;

/**
 * What a backend can do, which the core maps the tunables onto: {@code recvburst} onto the scatter
 * width of a read, {@code sendcap} onto the gather width of a write. A weaker backend degrades the
 * tunables, it never rejects them.
 *
 * @param maxScatter buffers one read may scatter into
 * @param maxGather  buffers one write may gather from
 */
public record Capabilities(int maxScatter, int maxGather) {
    public Capabilities {
        if (maxScatter < 1 || maxGather < 1) {
            throw new IllegalArgumentException("capabilities must be >= 1, were scatter=" + maxScatter
                    + " gather=" + maxGather);
        }
    }
}
