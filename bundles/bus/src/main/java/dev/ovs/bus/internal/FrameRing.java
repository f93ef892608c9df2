package dev.ovs.bus.internal;

import dev.ovs.bus.internal.ConnectionSubs.SocketSub;

/**
 * A bounded FIFO of event frames (subscription, event) in two parallel ring arrays: no object per frame. Grows
 * by doubling up to {@code max} (the connection's {@code queue.size}); when full, {@link #add} drops the oldest.
 * Not thread-safe (used under the {@link Outbox}'s lock, or by its writer alone after a swap).
 */
final class FrameRing {
    private final int max;
    private SocketSub[] subs;
    private Msg[] msgs;
    private int head;
    private int size;
    /** Sum of {@link Msg#size()} of the frames held. */
    private long bytes;

    FrameRing(int max) {
        this.max = max;
        int cap = Math.min(max, 16);
        subs = new SocketSub[cap];
        msgs = new Msg[cap];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** @return the sum of {@link Msg#size()} of the frames held */
    long bytes() {
        return bytes;
    }

    /**
     * Removes the oldest frame.
     *
     * @return its subscription, null if the ring is empty
     */
    SocketSub dropOldest() {
        if (size == 0) {
            return null;
        }
        SocketSub victim = subs[head];
        bytes -= msgs[head].size();
        subs[head] = null;
        msgs[head] = null;
        head = head + 1 == subs.length ? 0 : head + 1;
        size--;
        return victim;
    }

    /** @return the subscription of the dropped oldest frame if the ring was full, else null */
    SocketSub add(SocketSub s, Msg m) {
        SocketSub victim = null;
        if (size == subs.length) {
            if (size < max) {
                grow();
            } else {
                victim = dropOldest();
            }
        }
        int at = head + size;
        if (at >= subs.length) {
            at -= subs.length;
        }
        subs[at] = s;
        msgs[at] = m;
        size++;
        bytes += m.size();
        return victim;
    }

    private void grow() {
        int cap = (int) Math.min(max, subs.length * 2L);
        SocketSub[] ns = new SocketSub[cap];
        Msg[] nm = new Msg[cap];
        for (int i = 0; i < size; i++) {
            ns[i] = sub(i);
            nm[i] = msg(i);
        }
        subs = ns;
        msgs = nm;
        head = 0;
    }

    /** @return the subscription of the i-th frame from the oldest */
    SocketSub sub(int i) {
        int at = head + i;
        return subs[at >= subs.length ? at - subs.length : at];
    }

    /** @return the event of the i-th frame from the oldest */
    Msg msg(int i) {
        int at = head + i;
        return msgs[at >= msgs.length ? at - msgs.length : at];
    }

    int count(SocketSub s) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (sub(i) == s) {
                n++;
            }
        }
        return n;
    }

    /** Empties the ring (references released for the GC). */
    void clear() {
        for (int i = 0; i < size; i++) {
            int at = head + i;
            if (at >= subs.length) {
                at -= subs.length;
            }
            subs[at] = null;
            msgs[at] = null;
        }
        head = 0;
        size = 0;
        bytes = 0;
    }
}
