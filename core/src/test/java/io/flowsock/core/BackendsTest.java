package io.flowsock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Backend selection where only the core is on the class path (the io_uring module is not). */
class BackendsTest {
    @Test
    void autoFallsBackToSelectorOnLinuxAndNio2ElsewhereWhenNoOtherBackendIsPresent() {
        boolean linux = System.getProperty("os.name").startsWith("Linux");
        try (Transport t = Transport.of("auto", 1)) {
            assertThat(t.name()).isEqualTo(linux ? "selector" : "nio2");
            assertThat(t.ports()).hasSize(1);
        }
    }

    @Test
    void namesAreTrimmedAndCaseBlind() {
        try (Transport t = Transport.of(" NIO2 ", 1)) {
            assertThat(t.name()).isEqualTo("nio2");
        }
    }

    @Test
    void selectorIsBuiltIn() {
        try (Transport t = Transport.of("selector", 2)) {
            assertThat(t.name()).isEqualTo("selector");
            assertThat(t.ports()).hasSize(2);
        }
    }

    @Test
    void askingForUringWithoutItsModuleSaysWhichModuleIsMissing() {
        assertThatThrownBy(() -> Transport.of("uring", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"uring\"").hasMessageContaining("flowsock-transport-uring");
    }

    @Test
    void aBadSystemPropertyIsNamedInTheError() {
        String before = System.getProperty("flowsock.transport");
        System.setProperty("flowsock.transport", "epol");
        try {
            assertThatThrownBy(Transport::auto).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("system property flowsock.transport: backend must be one of [auto, nio2, selector],"
                            + " was \"epol\"");
        } finally {
            if (before == null) {
                System.clearProperty("flowsock.transport");
            } else {
                System.setProperty("flowsock.transport", before);
            }
        }
    }

    @Test
    void anUnknownNameIsRefusedNamingTheValueAndTheChoices() {
        assertThatThrownBy(() -> Transport.of("epoll", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend must be one of [auto, nio2, selector], was \"epoll\"");
        assertThatThrownBy(() -> Transport.of("nio2", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ports must be >= 1, was 0");
    }
}
