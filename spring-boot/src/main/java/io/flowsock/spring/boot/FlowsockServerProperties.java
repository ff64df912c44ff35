package io.flowsock.spring.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * flowsock's tunables as Spring Boot properties; each one left unset keeps flowsock's default
 * (the HTTPD-like settings of {@code HttpServer.create()}).
 *
 * <pre>
 * flowsock.backlog=500
 * flowsock.sendcap=1
 * flowsock.recvburst=1
 * flowsock.first-byte-timeout=30s
 * </pre>
 *
 * <p><b>Threading.</b> Bound once while the context starts and read by the auto-configuration
 * then; a change after the server is built does not reach it (flowsock's tunables can be changed
 * live on the {@code DisposableServer} and its connections instead).
 */
@ConfigurationProperties("flowsock")
public class FlowsockServerProperties {
    /** Accepts kept posted plus the kernel listen queue. */
    private Integer backlog;
    /** Outbound buffers in flight per connection. */
    private Integer sendcap;
    /** Receive buffers one read may fill (1 turns burst detection off). */
    private Integer recvburst;
    /** How long an accepted connection may stay silent before it is closed; 0 disables the watchdog. */
    private Duration firstByteTimeout;

    public Integer getBacklog() {
        return backlog;
    }

    public void setBacklog(Integer backlog) {
        this.backlog = backlog;
    }

    public Integer getSendcap() {
        return sendcap;
    }

    public void setSendcap(Integer sendcap) {
        this.sendcap = sendcap;
    }

    public Integer getRecvburst() {
        return recvburst;
    }

    public void setRecvburst(Integer recvburst) {
        this.recvburst = recvburst;
    }

    public Duration getFirstByteTimeout() {
        return firstByteTimeout;
    }

    public void setFirstByteTimeout(Duration firstByteTimeout) {
        this.firstByteTimeout = firstByteTimeout;
    }
}
