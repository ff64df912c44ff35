package io.flowsock.uring;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs a test class only where io_uring works here, else skips it with the probe's reason. */
final class UringAvailable implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return new UringProvider().unavailable()
                .map(why -> ConditionEvaluationResult.disabled("io_uring unavailable: " + why))
                .orElseGet(() -> ConditionEvaluationResult.enabled("io_uring available"));
    }
}
