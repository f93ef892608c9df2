package dev.ovs.metrics.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Meters whose set follows snapshots of the sources. Each round ({@link #begin()}, then {@link #gauge} and
 * {@link #counter} for every series that exists now, then {@link #commit()}) states the current value of each
 * series; a series not stated in a round is removed from the registry (a subscriber that left, an export that
 * went away, a source whose service is gone). Values are read by the registry when it scrapes. Thread-safe
 * (rounds are serialized by the caller, see {@link MetricsService#scrape(String)}).
 */
final class SyncedMeters {
    private record Key(String name, Tags tags) {
    }

    /** The value the registry reads; strongly held here (Micrometer holds gauge and counter state weakly). */
    private static final class Cell {
        private volatile double value;
        private Meter meter;
        private boolean seen;

        double value() {
            return value;
        }
    }

    private final MeterRegistry registry;
    private final Map<Key, Cell> cells = new HashMap<>();

    SyncedMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Starts a round: every series is unseen until stated again. */
    synchronized void begin() {
        for (Cell c : cells.values()) {
            c.seen = false;
        }
    }

    /**
     * States a gauge's value in this round (registered on first use).
     *
     * @param name   Micrometer name (dots; the Prometheus name is derived from it and {@code unit})
     * @param help   the HELP text
     * @param unit   base unit ({@code seconds}, {@code bytes}) or null
     * @param value  current value
     * @param tags   label key/value pairs
     */
    synchronized void gauge(String name, String help, String unit, double value, String... tags) {
        cell(name, help, unit, false, tags).value = value;
    }

    /**
     * States a counter's value in this round (registered on first use). The value is the source's own
     * cumulative count; it goes down only when the source starts over (Prometheus treats that as a reset).
     *
     * @param name  Micrometer name without {@code _total}
     * @param help  the HELP text
     * @param value current count
     * @param tags  label key/value pairs
     */
    synchronized void counter(String name, String help, double value, String... tags) {
        cell(name, help, null, true, tags).value = value;
    }

    /** Ends a round: removes every series that was not stated in it. */
    synchronized void commit() {
        for (Iterator<Cell> it = cells.values().iterator(); it.hasNext();) {
            Cell c = it.next();
            if (!c.seen) {
                registry.remove(c.meter);
                it.remove();
            }
        }
    }

    /** Removes every series. */
    synchronized void clear() {
        begin();
        commit();
    }

    private Cell cell(String name, String help, String unit, boolean counter, String... tags) {
        Key key = new Key(name, Tags.of(tags));
        Cell c = cells.get(key);
        if (c == null) {
            c = new Cell();
            c.meter = counter
                    ? FunctionCounter.builder(name, c, Cell::value).description(help).tags(key.tags()).register(registry)
                    : Gauge.builder(name, c, Cell::value).description(help).baseUnit(unit).tags(key.tags()).register(registry);
            cells.put(key, c);
        }
        c.seen = true;
        return c;
    }
}
