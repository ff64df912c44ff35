package io.flowsock.core.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the argument and the bad value, the same way everywhere. */
public final class Checks {
    private Checks() {
    }

    /** {@code value} if it is at least 1, else IllegalArgumentException("name must be >= 1, was value"). */
    public static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
        return value;
    }

    /** As {@link #positive(String, int)} for a long. */
    public static long positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
        return value;
    }

    /** {@code value} if it is present and not negative. */
    public static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }
}
