package io.flowsock.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Timeouts of one duration on one port thread. Armed in time order, they fall due in the order
 * they were armed, so a doubly linked list in arming order is already sorted: arming appends,
 * disarming unlinks, both in constant time on the port thread, and one timer task per list (not
 * one per timeout) wakes the port when the oldest falls due.
 *
 * <p>Why: every accepted connection arms a first-byte watchdog and every graceful close a close
 * deadline, and nearly all are disarmed long before they fall due. Through the shared timer each
 * cost a task object, a lock-free push, a heap insert on the timer's thread and a contended cancel
 * count; in connection-per-request HTTP that heap alone was 9 % of the server's samples.
 *
 * <p>Runs only on its port's thread: the lists live in a thread-local map, one per duration.
 */
final class FixedTimeouts implements Runnable {
    private static final ThreadLocal<Map<Long, FixedTimeouts>> PER_THREAD = ThreadLocal.withInitial(HashMap::new);

    /**
     * One armable timeout; its owner keeps it and arms it again at will. An owner that has one
     * timeout of its own may be the entry itself (a subclass), which saves an object per owner;
     * {@link Entry#of} wraps an action for everyone else.
     */
    abstract static class Entry {
        Entry prev;
        Entry next;
        long dueAt;
        FixedTimeouts list;   // the list it is linked in, or null while disarmed

        /** An entry that runs {@code action} when it falls due. */
        static Entry of(Runnable action) {
            Objects.requireNonNull(action, "action");
            return new Entry() {
                @Override
                void fire() {
                    action.run();
                }
            };
        }

        /** What falls due: runs on the port thread, unlinked already. */
        abstract void fire();

        boolean armed() {
            return list != null;
        }

        /** Unlinks it if armed; it will not fire. */
        void disarm() {
            if (list != null) {
                list.unlink(this);
            }
        }
    }

    private final CompletionPort port;
    private final long nanos;
    private Entry head;
    private Entry tail;
    private boolean sweepScheduled;

    private FixedTimeouts(CompletionPort port, long nanos) {
        this.port = port;
        this.nanos = nanos;
    }

    /** The list for {@code nanos} on the calling thread, which must be {@code port}'s. */
    static FixedTimeouts of(CompletionPort port, long nanos) {
        Map<Long, FixedTimeouts> lists = PER_THREAD.get();
        FixedTimeouts list = lists.get(nanos);
        if (list == null || list.port != port) {   // a thread a factory reuses for a later transport's port
            list = new FixedTimeouts(port, nanos);
            lists.put(nanos, list);
        }
        return list;
    }

    /** Arms {@code e} (disarming it first if it was armed) to fire after this list's duration. */
    void arm(Entry e) {
        e.disarm();
        e.dueAt = port.timer().nanoTime() + nanos;
        e.list = this;
        e.prev = tail;
        if (tail == null) {
            head = e;
        } else {
            tail.next = e;
        }
        tail = e;
        if (!sweepScheduled) {
            schedule(nanos);
        }
    }

    private void unlink(Entry e) {
        if (e.prev == null) {
            head = e.next;
        } else {
            e.prev.next = e.next;
        }
        if (e.next == null) {
            tail = e.prev;
        } else {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.list = null;
    }

    private void schedule(long delay) {
        sweepScheduled = true;
        port.schedule(this, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * The sweep: runs what has fallen due, oldest first, then waits for the next. An action that
     * arms its entry again goes to the tail, after this sweep's horizon.
     */
    @Override
    public void run() {
        sweepScheduled = false;
        long now = port.timer().nanoTime();
        Entry e;
        while ((e = head) != null && e.dueAt - now <= 0) {
            unlink(e);
            try {
                e.fire();
            } catch (RuntimeException | Error err) {   // one failing action must not strand the rest
                System.getLogger(FixedTimeouts.class.getName()).log(System.Logger.Level.WARNING,
                        "flowsock: a timeout's action threw", err);
            }
        }
        if (head != null && !sweepScheduled) {
            schedule(head.dueAt - now);
        }
    }
}
