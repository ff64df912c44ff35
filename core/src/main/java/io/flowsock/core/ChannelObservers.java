package io.flowsock.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * The observer a connection is given: the configured ones ({@link ChannelObserver#both} makes
 * several) told in turn, each behind a guard that turns its exception into the abortive close a
 * throwing handler gets (from the port's queue, right after the event), so that it never unwinds
 * into the backend's completion or the operation being told of, and the others are still told.
 */
final class ChannelObservers implements ChannelObserver {
    private static final System.Logger LOG = System.getLogger(ChannelObservers.class.getName());

    private final ChannelObserver[] parts;

    private ChannelObservers(ChannelObserver[] parts) {
        this.parts = parts;
    }

    /** {@code observer} behind the guard; null stays null, a guarded one stays as it is. */
    static ChannelObserver guarded(ChannelObserver observer) {
        return observer == null || observer instanceof ChannelObservers ? observer
                : new ChannelObservers(new ChannelObserver[] {observer});
    }

    /** {@code first}'s observers, then {@code second}'s, behind one guard. */
    static ChannelObserver both(ChannelObserver first, ChannelObserver second) {
        ChannelObserver[] a = ((ChannelObservers) guarded(first)).parts;
        ChannelObserver[] b = ((ChannelObservers) guarded(second)).parts;
        ChannelObserver[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return new ChannelObservers(all);
    }

    /** Closed from the port's queue, not here: the operation the event was about goes on as it would have. */
    private static void threw(Channel channel, String event, RuntimeException e) {
        channel.port().execute(() -> channel.callbackFailed("the observer's " + event, e));
    }

    @Override
    public void opened(Channel channel, boolean accepted) {
        for (ChannelObserver o : parts) {
            try {
                o.opened(channel, accepted);
            } catch (RuntimeException e) {
                threw(channel, "opened", e);
            }
        }
    }

    @Override
    public void readPosted(Channel channel, int buffers) {
        for (ChannelObserver o : parts) {
            try {
                o.readPosted(channel, buffers);
            } catch (RuntimeException e) {
                threw(channel, "readPosted", e);
            }
        }
    }

    @Override
    public void readCompleted(Channel channel, long bytes, ByteBuffer[] buffers, int count) {
        for (ChannelObserver o : parts) {
            try {
                o.readCompleted(channel, bytes, buffers, count);
            } catch (RuntimeException e) {
                threw(channel, "readCompleted", e);
            }
        }
    }

    @Override
    public void inputEnded(Channel channel) {
        for (ChannelObserver o : parts) {
            try {
                o.inputEnded(channel);
            } catch (RuntimeException e) {
                threw(channel, "inputEnded", e);
            }
        }
    }

    @Override
    public void writePosted(Channel channel, ByteBuffer[] buffers, int offset, int length) {
        for (ChannelObserver o : parts) {
            try {
                o.writePosted(channel, buffers, offset, length);
            } catch (RuntimeException e) {
                threw(channel, "writePosted", e);
            }
        }
    }

    @Override
    public void writeCompleted(Channel channel, long bytes) {
        for (ChannelObserver o : parts) {
            try {
                o.writeCompleted(channel, bytes);
            } catch (RuntimeException e) {
                threw(channel, "writeCompleted", e);
            }
        }
    }

    @Override
    public void tunableChanged(Channel channel, String tunable, int cap) {
        for (ChannelObserver o : parts) {
            try {
                o.tunableChanged(channel, tunable, cap);
            } catch (RuntimeException e) {
                threw(channel, "tunableChanged", e);
            }
        }
    }

    @Override
    public void outputShut(Channel channel) {
        for (ChannelObserver o : parts) {
            try {
                o.outputShut(channel);
            } catch (RuntimeException e) {
                threw(channel, "outputShut", e);
            }
        }
    }

    @Override
    public void watchdogFired(Channel channel, String timeout, Duration limit) {
        for (ChannelObserver o : parts) {
            try {
                o.watchdogFired(channel, timeout, limit);
            } catch (RuntimeException e) {
                threw(channel, "watchdogFired", e);
            }
        }
    }

    @Override
    public void handshakeStep(Channel channel, String step) {
        for (ChannelObserver o : parts) {
            try {
                o.handshakeStep(channel, step);
            } catch (RuntimeException e) {
                threw(channel, "handshakeStep", e);
            }
        }
    }

    @Override
    public void handshakeDone(Channel channel, long nanos, Throwable failure) {
        for (ChannelObserver o : parts) {
            try {
                o.handshakeDone(channel, nanos, failure);
            } catch (RuntimeException e) {
                threw(channel, "handshakeDone", e);
            }
        }
    }

    @Override
    public void closed(Channel channel, Throwable cause, boolean reset) {
        for (ChannelObserver o : parts) {
            try {
                o.closed(channel, cause, reset);
            } catch (RuntimeException e) {
                channel.closeCallbackFailed("the observer's closed", e);
            }
        }
    }

    @Override
    public void acceptCompleted(InetSocketAddress address, Tunable backlog) {
        tellListener("acceptCompleted", address, o -> o.acceptCompleted(address, backlog));
    }

    @Override
    public void acceptFailed(InetSocketAddress address, Throwable error) {
        tellListener("acceptFailed", address, o -> o.acceptFailed(address, error));
    }

    /** A listener's event: there is no connection to close, so an observer that throws is logged. */
    private void tellListener(String event, InetSocketAddress address, java.util.function.Consumer<ChannelObserver> tell) {
        for (ChannelObserver o : parts) {
            try {
                tell.accept(o);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "flowsock: the observer's " + event + " threw on " + address, e);
            }
        }
    }

    @Override
    public String toString() {
        return "ChannelObservers" + Arrays.toString(parts);
    }
}
