package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** The guard itself: a test that leaves a socket or a port thread behind fails, naming it. */
class LeakGuardTest {
    /** What the example tests below leave behind, for this class to clean up afterwards. */
    static ServerSocket leftSocket;
    static Transport leftTransport;

    @AfterEach
    void cleanUp() throws Exception {
        if (leftSocket != null) {
            leftSocket.close();
        }
        if (leftTransport != null) {
            leftTransport.close();
        }
    }

    @Test
    void aTestThatLeavesAServerSocketOpenFailsNamingIt() {
        List<Event> failures = runGuarded("leavesASocket");
        assertThat(failures).hasSize(2);   // the test, then its class
        assertThat(message(failures.get(0)))
                .startsWith("test leavesASocket() left behind 1 socket(s)")
                .contains("tcp 127.0.0.1:" + leftSocket.getLocalPort() + " -> [::]:0 LISTEN");
    }

    @Test
    void aTestThatLeavesATransportRunningFailsNamingItsThreads() {
        List<Event> failures = runGuarded("leavesATransport");
        assertThat(message(failures.get(0))).contains("thread(s) [flowsock-nio2-");
    }

    @Test
    void aTestThatClosesWhatItOpenedPasses() {
        assertThat(runGuarded("closesEverything")).isEmpty();
    }

    private static List<Event> runGuarded(String method) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(LeakGuard.SETTLE_MILLIS, "300")
                .selectors(selectClass(Examples.class))
                .filters((org.junit.platform.engine.Filter<?>) org.junit.platform.launcher.MethodFilter
                        .includeMethodNamePatterns(".*" + method + ".*"))
                .execute()
                .allEvents().failed().list();
    }

    private static String message(Event failed) {
        return failed.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                .map(Throwable::getMessage).orElse("");
    }

    /** Run only through the engine above (nested classes are not picked up by the build). */
    static class Examples {
        @Test
        void leavesASocket() throws Exception {
            leftSocket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        }

        @Test
        void leavesATransport() {
            leftTransport = Transport.nio2(1);
        }

        @Test
        void closesEverything() throws Exception {
            new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).close();
            Transport.nio2(1).close();
        }
    }
}
