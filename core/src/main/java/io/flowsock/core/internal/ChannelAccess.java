package io.flowsock.core.internal;

import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.spi.SocketIo;
import java.util.function.Consumer;

/**
 * How {@link io.flowsock.core.spi.ChannelFactory} reaches {@link Channel}'s private constructor
 * from another package, as the JDK's own shared secrets do: Channel installs its constructor here
 * when its class is initialised.
 *
 * <p><b>Threading.</b> Safe from any thread.
 */
public final class ChannelAccess {
    /** Channel's constructor. */
    @FunctionalInterface
    public interface Opener {
        Channel open(CompletionPort port, SocketIo io, Capabilities caps, ChannelOptions options, boolean accepted,
                     Runnable onWatchdog);
    }

    /** Sets the one hook a channel runs when its socket is released, before its close future completes. */
    @FunctionalInterface
    public interface ReleaseHook {
        void set(Channel channel, Consumer<Channel> hook);
    }

    // Written once by Channel's static initializer, read by every open: class initialisation publishes it safely,
    // and the volatile covers a reader that triggered that initialisation on another thread.
    private static volatile Opener opener;
    private static volatile ReleaseHook releaseHook;   // written with opener, read after opener() ran

    private ChannelAccess() {
    }

    /** Called once, by Channel's static initializer. */
    public static void install(Opener channelConstructor, ReleaseHook onReleased) {
        if (opener != null) {
            throw new IllegalStateException("Channel's constructor is installed already");
        }
        releaseHook = onReleased;
        opener = channelConstructor;
    }

    /**
     * Runs {@code hook} with {@code channel} on its port once its socket is released, just before
     * its close future completes: a port's registry forgets it without a future of its own per
     * connection (a {@code whenComplete} costs two objects on every idle connection). One hook per
     * channel. Port thread.
     */
    public static void whenReleased(Channel channel, Consumer<Channel> hook) {
        opener();   // the channel exists, so its class is initialised: this only orders the read
        releaseHook.set(channel, hook);
    }

    /** Channel's constructor, initialising the class first if nothing has yet. */
    public static Opener opener() {
        Opener o = opener;
        if (o == null) {
            try {
                Class.forName(Channel.class.getName(), true, Channel.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            o = opener;
        }
        return o;
    }
}
