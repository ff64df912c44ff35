package io.flowsock.spring.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.TcpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.broker.BrokerAvailabilityEvent;
import org.springframework.messaging.simp.stomp.StompBrokerRelayMessageHandler;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.simp.stomp.StompTcpMessageCodec;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Spring's own user of {@code TcpOperations}, the STOMP broker relay, on {@link FlowsockTcpClient}:
 * its system session and a client session each get a flowsock connection to the broker.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StompBrokerRelayOnFlowsockTest {
    @Test
    void theRelaysSystemSessionMakesTheBrokerAvailableAndAClientSessionIsRelayedBothWays() throws Exception {
        StompBroker broker = new StompBroker(0, false);
        ExecutorSubscribableChannel toClients = new ExecutorSubscribableChannel();
        BlockingQueue<Message<?>> sentToClients = new LinkedBlockingQueue<>();
        toClients.subscribe(sentToClients::add);
        StompBrokerRelayMessageHandler relay = new StompBrokerRelayMessageHandler(new ExecutorSubscribableChannel(),
                toClients, new ExecutorSubscribableChannel(), List.of("/queue"));
        relay.setTcpClient(new FlowsockTcpClient<>(TcpClient.create().host("127.0.0.1").port(broker.port()),
                new StompTcpMessageCodec()));
        CountDownLatch available = new CountDownLatch(1);
        relay.setApplicationEventPublisher(event -> {
            if (event instanceof BrokerAvailabilityEvent e && e.isBrokerAvailable()) {
                available.countDown();
            }
        });
        relay.start();
        try {
            assertThat(available.await(10, TimeUnit.SECONDS)).as("the system session's CONNECTED").isTrue();

            StompHeaderAccessor connect = StompHeaderAccessor.create(StompCommand.CONNECT);
            connect.setAcceptVersion("1.2");
            connect.setSessionId("s1");
            relay.handleMessage(MessageBuilder.createMessage(new byte[0], connect.getMessageHeaders()));
            StompHeaderAccessor connected = StompHeaderAccessor.wrap(next(sentToClients));
            assertThat(connected.getCommand()).isEqualTo(StompCommand.CONNECTED);
            assertThat(connected.getSessionId()).isEqualTo("s1");
            assertThat(relay.getConnectionCount()).isEqualTo(2);   // the system session's and s1's

            StompHeaderAccessor send = StompHeaderAccessor.create(StompCommand.SEND);
            send.setDestination("/queue/a");
            send.setSessionId("s1");
            relay.handleMessage(MessageBuilder.createMessage("through the relay".getBytes(StandardCharsets.UTF_8),
                    send.getMessageHeaders()));
            Message<?> message = next(sentToClients);
            StompHeaderAccessor h = StompHeaderAccessor.wrap(message);
            assertThat(h.getCommand()).isEqualTo(StompCommand.MESSAGE);
            assertThat(h.getSessionId()).isEqualTo("s1");
            assertThat(h.getDestination()).isEqualTo("/queue/a");
            assertThat(new String((byte[]) message.getPayload(), StandardCharsets.UTF_8)).isEqualTo("through the relay");
            // stop shuts the TcpOperations down, which returns only once each handler has been told
            // of its connection's close: s1's then tells its client, before stop returns
            relay.stop();
            Message<?> closed = sentToClients.poll();
            assertThat(closed).as("s1's client told before stop returned").isNotNull();
            StompHeaderAccessor error = StompHeaderAccessor.wrap(closed);
            assertThat(error.getCommand()).isEqualTo(StompCommand.ERROR);
            assertThat(error.getSessionId()).isEqualTo("s1");
            assertThat(error.getMessage()).isEqualTo("Connection to broker closed.");
        } finally {
            relay.stop();
            broker.stop();
        }
    }

    private static Message<?> next(BlockingQueue<Message<?>> queue) throws InterruptedException {
        Message<?> m = queue.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message to the clients within 10 s").isNotNull();
        return m;
    }
}
