package dev.ovs.ovsdb.replica;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable set column value of a replica row that shares its (large) base with the previous version of
 * the row: a shared immutable base plus small added/removed sets. An update2 "modify" of a big set column
 * (Bridge.ports with thousands of ports: one element per add-port) then costs O(changes), not a copy of the
 * whole set; once the delta grows past an eighth of the base it is folded into a new base (amortized O(1)
 * per element). Invariants: {@code added} ∩ base = ∅, {@code removed} ⊆ base. Iteration order: base
 * order, then added. Not a public type: rows expose it as {@link Set}.
 */
final class DeltaSet<E> extends AbstractSet<E> {
    private static final int MIN_FOLD = 32;
    private final Set<E> base;
    private final Set<E> added;
    private final Set<E> removed;

    private DeltaSet(Set<E> base, Set<E> added, Set<E> removed) {
        this.base = base;
        this.added = added;
        this.removed = removed;
    }

    /**
     * @param old    the previous (immutable) value
     * @param toggle elements to toggle (update2 set diff: present = remove, absent = add)
     * @return the new immutable value; {@code old} is unchanged
     */
    @SuppressWarnings("unchecked")
    static <E> Set<E> toggle(Set<E> old, Set<?> toggle) {
        Set<E> base;
        Set<E> added;
        Set<E> removed;
        if (old instanceof DeltaSet<E> d) {
            base = d.base;
            added = new HashSet<>(d.added);
            removed = new HashSet<>(d.removed);
        } else {
            if (old.size() + toggle.size() <= MIN_FOLD) {
                Set<E> s = new java.util.LinkedHashSet<>(old);
                for (Object o : toggle) {
                    if (!s.remove(o)) {
                        s.add((E) o);
                    }
                }
                return s.isEmpty() ? Set.of() : Collections.unmodifiableSet(s);
            }
            base = old;
            added = new HashSet<>();
            removed = new HashSet<>();
        }
        for (Object o0 : toggle) {
            E o = (E) o0;
            if (added.remove(o)) {
                continue;
            }
            if (base.contains(o)) {
                if (!removed.remove(o)) {
                    removed.add(o);
                }
            } else {
                added.add(o);
            }
        }
        if (added.size() + removed.size() > Math.max(MIN_FOLD, base.size() / 8)) {
            Set<E> s = new java.util.LinkedHashSet<>(base.size() + added.size());
            for (E e : base) {
                if (!removed.contains(e)) {
                    s.add(e);
                }
            }
            s.addAll(added);
            return s.isEmpty() ? Set.of() : Collections.unmodifiableSet(s);
        }
        if (added.isEmpty() && removed.isEmpty()) {
            return base;
        }
        return new DeltaSet<>(base, added.isEmpty() ? Set.of() : added, removed.isEmpty() ? Set.of() : removed);
    }

    @Override
    public boolean contains(Object o) {
        return added.contains(o) || (base.contains(o) && !removed.contains(o));
    }

    @Override
    public int size() {
        return base.size() - removed.size() + added.size();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public Iterator<E> iterator() {
        return new Iterator<>() {
            private final Iterator<E> b = base.iterator();
            private final Iterator<E> a = added.iterator();
            private E next;
            private boolean ready;

            @Override
            public boolean hasNext() {
                if (ready) {
                    return true;
                }
                while (b.hasNext()) {
                    E e = b.next();
                    if (!removed.contains(e)) {
                        next = e;
                        ready = true;
                        return true;
                    }
                }
                if (a.hasNext()) {
                    next = a.next();
                    ready = true;
                    return true;
                }
                return false;
            }

            @Override
            public E next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return next;
            }
        };
    }

    // immutable
    @Override
    public boolean add(E e) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public boolean remove(Object o) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public boolean removeAll(java.util.Collection<?> c) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public boolean retainAll(java.util.Collection<?> c) {
        throw new UnsupportedOperationException("immutable");
    }

    @Override
    public boolean removeIf(java.util.function.Predicate<? super E> filter) {
        throw new UnsupportedOperationException("immutable");
    }
}
