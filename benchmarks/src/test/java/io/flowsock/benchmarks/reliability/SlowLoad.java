package io.flowsock.benchmarks.reliability;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * A test class of the load part of the reliability suite: tagged "slow", so only
 * {@code ./mvnw -Pslow verify} runs it, and failed after 4 minutes even when blocked in a socket
 * read (the timeout runs the test on a thread of its own and gives up on it).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@interface SlowLoad {
}
