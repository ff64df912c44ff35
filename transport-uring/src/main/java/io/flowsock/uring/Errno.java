package io.flowsock.uring;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;

/**
 * The Linux errno values the backend tells apart, and their mapping to the JDK's exceptions, so
 * that the core's typed exceptions wrap the same causes they wrap on nio2.
 */
final class Errno {
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int EPIPE = 32;
    static final int ENODEV = 19;
    static final int ENOSYS = 38;
    static final int EDESTADDRREQ = 89;
    static final int EMSGSIZE = 90;
    static final int ENOPROTOOPT = 92;
    static final int EAFNOSUPPORT = 97;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETUNREACH = 101;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    static final int ENOTCONN = 107;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EHOSTUNREACH = 113;
    static final int EALREADY = 114;
    static final int ECANCELED = 125;
    static final int EPERM = 1;

    private Errno() {
    }

    static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted (EPERM)";
            case ENOENT -> "No such file or directory (ENOENT)";
            case EBADF -> "Bad file descriptor (EBADF)";
            case EAGAIN -> "Resource temporarily unavailable (EAGAIN)";
            case EACCES -> "Permission denied (EACCES)";
            case EINVAL -> "Invalid argument (EINVAL)";
            case ENFILE -> "Too many open files in system (ENFILE)";
            case EMFILE -> "Too many open files (EMFILE)";
            case EPIPE -> "Broken pipe (EPIPE)";
            case ENODEV -> "No such device (ENODEV)";
            case ENOSYS -> "Function not implemented (ENOSYS)";
            case EDESTADDRREQ -> "Destination address required (EDESTADDRREQ)";
            case EMSGSIZE -> "Message too long (EMSGSIZE)";
            case ENOPROTOOPT -> "Protocol not available (ENOPROTOOPT)";
            case EAFNOSUPPORT -> "Address family not supported by protocol (EAFNOSUPPORT)";
            case EADDRINUSE -> "Address already in use (EADDRINUSE)";
            case EADDRNOTAVAIL -> "Cannot assign requested address (EADDRNOTAVAIL)";
            case ENETUNREACH -> "Network is unreachable (ENETUNREACH)";
            case ECONNABORTED -> "Software caused connection abort (ECONNABORTED)";
            case ECONNRESET -> "Connection reset by peer (ECONNRESET)";
            case ENOBUFS -> "No buffer space available (ENOBUFS)";
            case ENOTCONN -> "Transport endpoint is not connected (ENOTCONN)";
            case ETIMEDOUT -> "Connection timed out (ETIMEDOUT)";
            case ECONNREFUSED -> "Connection refused (ECONNREFUSED)";
            case EHOSTUNREACH -> "No route to host (EHOSTUNREACH)";
            case ECANCELED -> "Operation canceled (ECANCELED)";
            default -> "errno " + errno;
        };
    }

    /** The JDK exception a socket operation failing with {@code errno} throws on nio2. */
    static IOException exception(String operation, int errno) {
        String message = operation + ": " + describe(errno);
        return switch (errno) {
            case ECONNREFUSED -> new ConnectException(message);
            case EADDRINUSE, EADDRNOTAVAIL, EACCES -> new java.net.BindException(message);
            case ECONNRESET, EPIPE, ECONNABORTED, ETIMEDOUT, ENOTCONN, EHOSTUNREACH, ENETUNREACH ->
                    new SocketException(message);
            default -> new IOException(message);
        };
    }

    /** A failed libc or kernel call, with its errno. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int errno;

        Failure(String call, int errno) {
            super(call + " failed: " + describe(errno));
            this.errno = errno;
        }

        IOException asIoException(String operation) {
            IOException e = exception(operation, errno);
            e.initCause(this);
            return e;
        }
    }
}
