package io.flowsock.reactive;

import io.flowsock.core.ChannelObserver;

/**
 * What a server or client taps its connections with: the wiretap and the metrics, each null when
 * off, and the one observer the connections are given for both.
 */
record Taps(ChannelObserver wiretap, ChannelObserver metrics, ChannelObserver observer) {
    static final Taps NONE = new Taps(null, null, null);

    Taps(ChannelObserver wiretap, ChannelObserver metrics) {
        this(wiretap, metrics, ChannelObserver.both(wiretap, metrics));
    }

    Taps withWiretap(ChannelObserver wiretap) {
        return new Taps(wiretap, metrics);
    }

    Taps withMetrics(ChannelObserver metrics) {
        return new Taps(wiretap, metrics);
    }
}
