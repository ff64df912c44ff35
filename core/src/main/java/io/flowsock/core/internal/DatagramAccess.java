package io.flowsock.core.internal;

import io.flowsock.core.CompletionPort;
import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.DatagramOptions;
import io.flowsock.core.spi.DatagramIo;
import java.util.function.Consumer;

/**
 * How {@link BaseTransport} reaches {@link DatagramEndpoint}'s private constructor from another
 * package, as {@link ChannelAccess} does for channels.
 *
 * <p><b>Threading.</b> Safe from any thread.
 */
public final class DatagramAccess {
    /** DatagramEndpoint's constructor. */
    @FunctionalInterface
    public interface Opener {
        DatagramEndpoint open(CompletionPort port, DatagramIo io, DatagramOptions options,
                              Consumer<DatagramEndpoint> onReleased);
    }

    // Written once by DatagramEndpoint's static initializer, read by every open; volatile for a
    // reader that triggered that initialisation on another thread.
    private static volatile Opener opener;

    private DatagramAccess() {
    }

    /** Called once, by DatagramEndpoint's static initializer. */
    public static void install(Opener constructor) {
        if (opener != null) {
            throw new IllegalStateException("DatagramEndpoint's constructor is installed already");
        }
        opener = constructor;
    }

    /** A new endpoint over {@code io}; {@code onReleased} runs on the port once its socket is released. */
    public static DatagramEndpoint open(CompletionPort port, DatagramIo io, DatagramOptions options,
                                        Consumer<DatagramEndpoint> onReleased) {
        Opener o = opener;
        if (o == null) {
            try {
                Class.forName(DatagramEndpoint.class.getName(), true, DatagramEndpoint.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            o = opener;
        }
        return o.open(port, io, options, onReleased);
    }
}
