package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multicast for one backend: join and leave, any-source and source-specific, IPv4 and IPv6, with
 * the interface, TTL and loopback set through {@code StandardSocketOptions}. The host's loopback
 * has no MULTICAST flag, so each case runs {@link MulticastProgram} in a child JVM inside a fresh
 * network namespace ({@code unshare --net}) whose loopback gets the flag and a multicast route
 * (IPv6: a veth pair there); the host's network is untouched. Needs root and the {@code unshare} and {@code ip} commands;
 * skipped, naming what is missing, without them. A backend's suite subclasses it and supplies its
 * transport, which the child makes by calling the subclass's {@code newTransport()}.
 */
@Timeout(120)
public abstract class MulticastContract {
    /** The backend under test; called in the child JVM. */
    protected abstract Transport newTransport();

    /** JVM options the child needs beyond the class path (a backend on FFM adds native access). */
    protected List<String> childJvmOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--enable-native-access") || a.startsWith("--add-opens")
                        || a.startsWith("--add-exports") || a.startsWith("--enable-preview"))
                .toList();
    }

    @TempDir
    Path dir;

    @BeforeAll
    static void needsANetworkNamespace() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "making a network namespace needs root; running as " + System.getProperty("user.name"));
        for (String command : new String[] {"unshare", "ip"}) {
            Assumptions.assumeTrue(UdpContract.onPath(command), "the " + command + " command is not on the PATH");
        }
    }

    @Test
    public void anySourceIpv4JoinDeliversAndLeaveStops() throws Exception {
        assertChild("v4-asm");
    }

    @Test
    public void sourceSpecificIpv4DeliversOnlyTheJoinedSourceAndLeaveStops() throws Exception {
        assertChild("v4-ssm");
    }

    @Test
    public void anySourceIpv6JoinDeliversAndLeaveStops() throws Exception {
        assertChild("v6-asm");
    }

    @Test
    public void sourceSpecificIpv6JoinDeliversAndLeaveStops() throws Exception {
        assertChild("v6-ssm");
    }

    private void assertChild(String mode) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // lo up with the MULTICAST flag and IPv4 multicast routed to it (the kernel adds no multicast
        // route for a loopback device); Linux does not loop IPv6 multicast back on lo, so IPv6 goes
        // over one end of a veth pair with two addresses of its own (no duplicate detection to wait for)
        String setup = "ip link set lo multicast on && ip link set lo up && ip route add 224.0.0.0/4 dev lo"
                + " && ip link add mc0 type veth peer name mc1 && ip link set mc0 up && ip link set mc1 up"
                + " && ip -6 addr add fd00::1/64 dev mc0 nodad && ip -6 addr add fd00::2/64 dev mc0 nodad"
                + " && exec \"$0\" \"$@\"";
        List<String> command = new ArrayList<>(List.of("unshare", "--net", "sh", "-c", setup, java, "-Xmx128m"));
        command.addAll(childJvmOptions());
        command.addAll(List.of("-cp", classPath, MulticastProgram.class.getName(), getClass().getName(), mode));
        Path out = dir.resolve(mode + ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the child ended within 90 s").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Assumptions.assumeFalse(output.contains("unshare: unshare failed"), "cannot make a network namespace here: "
                + output);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("RESULT ok " + mode);
    }
}
