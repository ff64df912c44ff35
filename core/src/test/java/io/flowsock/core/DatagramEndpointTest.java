package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.internal.DatagramAccess;
import io.flowsock.core.spi.DatagramIo;
import io.flowsock.core.spi.DatagramReceive;
import io.flowsock.core.spi.DatagramSendCompletion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core's datagram endpoint over a scripted backend: receives posted only against demand, ABD
 * counting datagrams (double after a full receive, halve after a short one, never past the demand
 * or the cap), sendcap, truncation, and the answers at close.
 */
@Timeout(10)
class DatagramEndpointTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    private final ScriptedPort port = new ScriptedPort();
    private final ScriptedDatagram io = new ScriptedDatagram();
    private final List<Datagram> got = new ArrayList<>();

    private DatagramEndpoint open(DatagramOptions options) {
        DatagramEndpoint e = DatagramAccess.open(port, io, options, x -> { });
        e.start(new DatagramHandler() {
            @Override
            public void onDatagram(Datagram d) {
                got.add(d);
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onError(Throwable error) {
            }
        });
        return e;
    }

    @Test
    void noReceiveIsPostedWithoutDemandAndNoneBeyondIt() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS.withRecvBurst(16));
        assertThat(io.receives).isEmpty();
        assertThat(e.recvBurst().inUse()).isZero();
        e.request(3);
        assertThat(io.receives).containsExactly(1);      // the first receive takes one
        io.deliver(1);
        assertThat(io.receives).containsExactly(1, 1);   // full: off the first rung
        io.deliver(1);
        assertThat(io.receives).containsExactly(1, 1, 1);   // would double to 2, but 1 is all the demand left
        io.deliver(1);
        assertThat(got).hasSize(3);
        assertThat(io.receives).hasSize(3);               // no demand: nothing posted
        assertThat(e.recvBurst().inUse()).isZero();
    }

    @Test
    void fullReceivesDoubleTheCountUpToTheCapAndShortOnesHalveIt() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS.withRecvBurst(8));
        e.request(1000);
        io.deliver(1);                   // 1 of 1
        io.deliver(1);                   // 1 of 1 again: now doubling
        io.deliver(2);
        io.deliver(4);
        io.deliver(8);
        io.deliver(8);                   // capped at 8
        io.deliver(1);                   // short: halve
        assertThat(io.receives).containsExactly(1, 1, 2, 4, 8, 8, 8, 4);
        assertThat(e.recvBurst()).isEqualTo(new Tunable(8, 4));
        e.recvBurst(1);
        io.deliver(1);
        assertThat(io.receives.get(io.receives.size() - 1)).isEqualTo(1);   // cap 1: ABD off
    }

    @Test
    void aDatagramLongerThanTheLimitIsCutFlaggedAndCounted() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS.withMaxDatagramSize(4));
        e.request(2);
        io.next = new int[] {10, 3};
        io.deliver(1);
        io.deliver(1);
        assertThat(got).extracting(d -> d.data().remaining()).containsExactly(4, 3);
        assertThat(got).extracting(Datagram::truncated).containsExactly(true, false);
        assertThat(e.truncated()).isEqualTo(1);
    }

    @Test
    void sendRequestsAtMostSendCapAheadOfTheKernel() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS.withSendCap(3));
        Source source = new Source();
        e.send(source);
        List<Long> requests = source.requests;
        DatagramSend[] send = {source.send};
        List<Throwable> failed = source.failed;
        assertThat(requests).containsExactly(3L);
        io.holdSends = true;
        for (int i = 0; i < 3; i++) {
            send[0].offer(new Datagram(ByteBuffer.allocate(8), PEER));
        }
        assertThat(e.sendCap()).isEqualTo(new Tunable(3, 3));
        assertThat(io.posted).containsExactly(1);        // one send posted at a time: the others wait
        io.completeSend(1);
        assertThat(requests).containsExactly(3L, 1L);     // one handed over: one more may come
        assertThat(io.posted).containsExactly(1, 2);      // the two queued meanwhile go in one send
        io.completeSend(2);
        assertThat(requests).containsExactly(3L, 1L, 2L);
        assertThat(e.sendCap()).isEqualTo(new Tunable(3, 3));
        send[0].offer(new Datagram(ByteBuffer.allocate(70_000), PEER));
        assertThat(failed).singleElement().isInstanceOf(DatagramTooLargeException.class);
        assertThat(failed.get(0)).hasMessageContaining("70000 bytes");
    }

    @Test
    void aBackendsTooLongRefusalBecomesTheTypedErrorNamingTheSize() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS);
        Source source = new Source();
        e.send(source);
        io.failWith = new io.flowsock.core.spi.DatagramTooLongIOException("EMSGSIZE", null);
        source.send.offer(new Datagram(ByteBuffer.allocate(1_500), PEER));   // under the core's limit: the kernel refuses it
        assertThat(source.failed).singleElement().isInstanceOf(DatagramTooLargeException.class);
        assertThat(source.failed.get(0)).hasMessageContaining("1500 bytes").hasCause(io.failWith);
    }

    @Test
    void anUntypedIoErrorIsNotTakenForTooLongWhateverItsText() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS);
        Source source = new Source();
        e.send(source);
        io.failWith = new IOException("Message too long");   // only the backend's type says "too long"
        source.send.offer(new Datagram(ByteBuffer.allocate(8), PEER));
        assertThat(source.failed).singleElement().isInstanceOf(DatagramException.class)
                .isNotInstanceOf(DatagramTooLargeException.class);
    }

    @Test
    void aSourceOfferingMoreThanItWasAskedForFailsItsStream() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS.withSendCap(2));
        Source source = new Source();
        e.send(source);
        DatagramSend[] send = {source.send};
        List<Throwable> failed = source.failed;
        io.holdSends = true;
        for (int i = 0; i < 3; i++) {                     // asked for 2: the third breaks the contract
            send[0].offer(new Datagram(ByteBuffer.allocate(8), PEER));
        }
        io.completeSend(1);                               // the stream ends once its posted send is answered
        assertThat(failed).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(failed.get(0)).hasMessageContaining("more than the 2 datagrams it was asked for");
    }

    @Test
    void theSameJoinTwiceReachesTheBackendOnceAndLeavingTwiceIsRefusedByName() throws Exception {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS);
        InetAddress group = InetAddress.getByName("239.1.2.3");
        NetworkInterface lo = loopback();
        assertThat(e.join(group, lo)).succeedsWithin(Duration.ofSeconds(1));
        assertThat(e.join(group, lo)).succeedsWithin(Duration.ofSeconds(1));
        assertThat(e.leave(group, lo)).succeedsWithin(Duration.ofSeconds(1));
        assertThat(e.leave(group, lo)).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class)
                .withMessage("cannot leave 239.1.2.3 on " + lo.getName() + ": not a member");
        assertThat(io.memberships).containsExactly("join 239.1.2.3", "leave 239.1.2.3");
    }

    @Test
    void anyAndSourceSpecificOnTheSameGroupAreRefusedButTwoSourcesAreNot() throws Exception {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS);
        InetAddress group = InetAddress.getByName("232.1.2.3");
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        NetworkInterface lo = loopback();
        assertThat(e.join(group, lo, a)).succeedsWithin(Duration.ofSeconds(1));
        assertThat(e.join(group, lo, b)).succeedsWithin(Duration.ofSeconds(1));
        assertThat(e.join(group, lo)).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class)
                .withMessageContaining("cannot join 232.1.2.3 on " + lo.getName())
                .withMessageContaining("source-specific already");
        assertThat(e.leave(group, lo)).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("not a member");
        assertThat(e.leave(group, lo, b)).succeedsWithin(Duration.ofSeconds(1));
        assertThat(io.memberships).containsExactly("join 232.1.2.3 127.0.0.1", "join 232.1.2.3 127.0.0.2",
                "leave 232.1.2.3 127.0.0.2");
    }

    @Test
    void aJoinTheKernelRefusesIsADatagramExceptionAndLeavesNoMembershipBehind() throws Exception {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS);
        InetAddress group = InetAddress.getByName("239.1.2.3");
        NetworkInterface lo = loopback();
        io.refuseMembership = true;
        assertThat(e.join(group, lo)).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(DatagramException.class)
                .withMessageContaining("join 239.1.2.3 on " + lo.getName() + " failed: Address already in use");
        io.refuseMembership = false;
        assertThat(e.leave(group, lo)).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class);   // the refused join is not a membership
        assertThat(e.join(group, lo)).succeedsWithin(Duration.ofSeconds(1));   // and may be tried again
    }

    private static NetworkInterface loopback() throws IOException {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        assertThat(lo).isNotNull();
        return lo;
    }

    @Test
    void disposeEndsTheInputAndFailsPendingSends() {
        DatagramEndpoint e = open(DatagramOptions.DEFAULTS);
        Source source = new Source();
        e.send(source);
        List<Throwable> failed = source.failed;
        e.dispose();
        assertThat(io.closed).isTrue();
        assertThat(failed).singleElement().isInstanceOf(ConnectionClosedException.class);
        assertThat(e.onClose()).isDone();
    }

    /** A source that records what it is asked and told; the test offers through {@link #send}. */
    private static final class Source implements DatagramSource {
        DatagramSend send;
        final List<Long> requests = new ArrayList<>();
        final List<Throwable> failed = new ArrayList<>();

        @Override
        public void onStart(DatagramSend s) {
            send = s;
        }

        @Override
        public void request(long n) {
            requests.add(n);
        }

        @Override
        public void cancel() {
        }

        @Override
        public void onSent() {
        }

        @Override
        public void onFailed(Throwable error) {
            failed.add(error);
        }
    }

    /** A backend whose receives and sends complete when the test says. Port thread (the test's). */
    private static final class ScriptedDatagram implements DatagramIo {
        final List<Integer> receives = new ArrayList<>();
        final List<Integer> posted = new ArrayList<>();   // datagrams per posted send
        int[] next = new int[0];          // lengths of the next datagrams delivered, then 1 byte each
        private int nextIndex;
        private DatagramReceive receive;
        private DatagramSendCompletion send;
        private int sendLength;
        boolean holdSends;
        boolean closed;
        Throwable failWith;               // when set, the next send is refused with it
        final List<String> memberships = new ArrayList<>();   // the joins and leaves that reached the backend
        boolean refuseMembership;         // the "kernel" refuses the next join

        @Override
        public void receive(int count, DatagramReceive completion) {
            receives.add(count);
            receive = completion;
        }

        /** Completes the posted receive with {@code n} datagrams. */
        void deliver(int n) {
            DatagramReceive r = receive;
            receive = null;
            ByteBuffer[] data = new ByteBuffer[n];
            InetSocketAddress[] from = new InetSocketAddress[n];
            for (int i = 0; i < n; i++) {
                data[i] = ByteBuffer.allocate(nextIndex < next.length ? next[nextIndex++] : 1);
                from[i] = PEER;
            }
            r.completed(data, from, new boolean[n], n);
        }

        @Override
        public void send(ByteBuffer[] datagrams, InetSocketAddress[] targets, int offset, int length,
                         DatagramSendCompletion completion) {
            send = completion;
            sendLength = length;
            posted.add(length);
            if (!holdSends) {
                completeSend(length);
            }
        }

        void completeSend(int n) {
            DatagramSendCompletion c = send;
            send = null;
            if (failWith != null) {
                c.failed(0, failWith);
            } else {
                c.completed(Math.min(n, sendLength));
            }
        }

        @Override
        public void join(InetAddress group, NetworkInterface networkInterface, InetAddress source) throws IOException {
            memberships.add("join " + group.getHostAddress() + (source != null ? " " + source.getHostAddress() : ""));
            if (refuseMembership) {
                throw new IOException("Address already in use");
            }
        }

        @Override
        public void leave(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
            memberships.add("leave " + group.getHostAddress() + (source != null ? " " + source.getHostAddress() : ""));
        }

        @Override
        public long kernelDrops() {
            return 0;
        }

        @Override
        public int receiveBufferSize() {
            return 65_536;
        }

        @Override
        public void close(Runnable released) {
            closed = true;
            released.run();
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return null;
        }
    }
}
