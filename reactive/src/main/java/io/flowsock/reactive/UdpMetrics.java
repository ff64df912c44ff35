package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What UDP sockets do, as Micrometer meters named {@code flowsock.udp.server.*} or
 * {@code flowsock.udp.client.*}: datagrams received and sent (as distributions of their sizes),
 * datagrams cut at the receive limit, and the kernel's drops (datagrams lost to a full socket
 * receive buffer). One instance per registry and side, shared by every socket recording into it;
 * the two counts are sums over the open sockets plus what closed ones had counted. No meter is
 * tagged with an address.
 *
 * <p>Only this class and {@link UdpSettings#metrics} name Micrometer's types; neither is loaded
 * unless metrics are turned on. Meters are thread-safe; the recording calls run on port threads.
 */
final class UdpMetrics {
    private static final Map<MeterRegistry, UdpMetrics[]> SHARED = new WeakHashMap<>();

    private final DistributionSummary received;
    private final DistributionSummary sent;
    private final Set<DatagramEndpoint> open = ConcurrentHashMap.newKeySet();
    private final LongAdder closedDrops = new LongAdder();
    private final LongAdder closedTruncated = new LongAdder();

    static synchronized UdpMetrics of(MeterRegistry registry, boolean server) {
        UdpMetrics[] sides = SHARED.computeIfAbsent(registry, r -> new UdpMetrics[2]);
        int side = server ? 0 : 1;
        if (sides[side] == null) {
            sides[side] = new UdpMetrics(registry, server ? "flowsock.udp.server." : "flowsock.udp.client.");
        }
        return sides[side];
    }

    private UdpMetrics(MeterRegistry registry, String prefix) {
        received = DistributionSummary.builder(prefix + "datagrams.received").baseUnit("bytes")
                .description("Datagrams delivered, by payload size").register(registry);
        sent = DistributionSummary.builder(prefix + "datagrams.sent").baseUnit("bytes")
                .description("Datagrams handed to send, by payload size").register(registry);
        FunctionCounter.builder(prefix + "datagrams.dropped", this, UdpMetrics::drops)
                .description("Datagrams the kernel dropped because a socket's receive buffer was full")
                .register(registry);
        FunctionCounter.builder(prefix + "datagrams.truncated", this, UdpMetrics::truncated)
                .description("Datagrams longer than the receive limit, delivered cut").register(registry);
    }

    void opened(DatagramEndpoint endpoint) {
        open.add(endpoint);
        endpoint.onClose().whenComplete((v, e) -> {
            closedDrops.add(Math.max(0, endpoint.drops()));
            closedTruncated.add(endpoint.truncated());
            open.remove(endpoint);
        });
    }

    void received(Datagram d) {
        received.record(d.data().remaining());
    }

    void sent(Datagram d) {
        sent.record(d.data().remaining());
    }

    private double drops() {
        long sum = closedDrops.sum();
        for (DatagramEndpoint e : open) {
            sum += Math.max(0, e.drops());
        }
        return sum;
    }

    private double truncated() {
        long sum = closedTruncated.sum();
        for (DatagramEndpoint e : open) {
            sum += e.truncated();
        }
        return sum;
    }
}
