package dev.ovs.itests.framework;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The watcher that proves the in-framework run never points a component at the host's daemons: the test
 * bundle's activator, started at start level 2 (test.bndrun), before the Patchbay bundles at level 3, records
 * the configuration every {@code dev.ovs.dbus} connection, OVSDB client and event-bus core is registered or
 * modified with, for the whole run (Declarative Services publishes a component's properties as its service
 * properties: its configuration over the defaults bnd writes into the component description from the
 * configuration type, so without a configuration {@code address=system} and
 * {@code remote=unix:/var/run/openvswitch/db.sock}).
 *
 * <p>Host-pointing, and so a violation: a D-Bus {@code address} that is missing, {@code system}, {@code session}
 * or names a path under {@code /run} or {@code /var/run}; an OVSDB {@code remote} that is missing or names a
 * path under either; a bus {@code socket} under either. Besides, {@code /run/patchbay} must not appear when it
 * was not there at the start. {@link Check} ({@code @ExtendWith(HostIsolation.Check.class)}) fails a test class
 * whose run (or anything before it) recorded a violation.
 */
public final class HostIsolation implements BundleActivator {
    /** Object classes watched, by name (the bus core is not exported: its name is enough for a filter). */
    static final String DBUS = "dev.ovs.dbus.DbusConnectionService";
    static final String OVSDB = "dev.ovs.ovsdb.OvsdbClient";
    static final String BUS = "dev.ovs.bus.internal.BusCore";
    private static final Path RUN_PATCHBAY = Path.of("/run/patchbay");

    private ServiceListener listener;
    private ServiceRegistration<Log> registration;

    /** For the framework (Bundle-Activator). */
    public HostIsolation() {
    }

    /**
     * One registration or modification seen: the watched object class, the event and the configuration key's
     * value (null: missing).
     *
     * @param service   {@link #DBUS}, {@link #OVSDB} or {@link #BUS}
     * @param event     {@code REGISTERED} or {@code MODIFIED}
     * @param key       {@code address}, {@code remote} or {@code socket}
     * @param value     its value as a string (a String[] joined with commas), null if the key is missing (which
     *                  would mean the component's own default)
     * @param violation why it points at the host, or null if it does not
     */
    public record Seen(String service, String event, String key, String value, String violation) {
    }

    /** What the watcher recorded (a service of the test bundle, registered by its activator). */
    public static final class Log {
        private final List<Seen> seen = new ArrayList<>();
        private final boolean runPatchbayAtStart;

        Log(boolean runPatchbayAtStart) {
            this.runPatchbayAtStart = runPatchbayAtStart;
        }

        synchronized void add(Seen s) {
            seen.add(s);
        }

        /** @return everything seen so far, oldest first */
        public synchronized List<Seen> seen() {
            return List.copyOf(seen);
        }

        /** @return whether {@code /run/patchbay} existed when the watcher started */
        public boolean runPatchbayAtStart() {
            return runPatchbayAtStart;
        }

        /**
         * @return every violation so far, including {@code /run/patchbay} appearing during the run
         */
        public List<String> violations() {
            List<String> v = new ArrayList<>();
            for (Seen s : seen()) {
                if (s.violation() != null) {
                    v.add(s.service() + " " + s.event() + " with " + s.key() + "=" + s.value() + ": " + s.violation());
                }
            }
            if (!runPatchbayAtStart && Files.exists(RUN_PATCHBAY)) {
                v.add(RUN_PATCHBAY + " was created during the run");
            }
            return v;
        }
    }

    @Override
    public void start(BundleContext context) throws Exception {
        Log log = new Log(Files.exists(RUN_PATCHBAY));
        listener = event -> {
            if (event.getType() == ServiceEvent.REGISTERED || event.getType() == ServiceEvent.MODIFIED) {
                log.add(seen(event.getServiceReference(), event.getType() == ServiceEvent.REGISTERED
                        ? "REGISTERED" : "MODIFIED"));
            }
        };
        String filter = "(|(objectClass=" + DBUS + ")(objectClass=" + OVSDB + ")(objectClass=" + BUS + "))";
        context.addServiceListener(listener, filter);
        // a component registered before the watcher started (a start-level mistake) would escape it: a violation
        ServiceReference<?>[] early = context.getServiceReferences((String) null, filter);
        if (early != null) {
            for (ServiceReference<?> ref : early) {
                Seen s = seen(ref, "REGISTERED");
                log.add(new Seen(s.service(), "REGISTERED before the watcher", s.key(), s.value(),
                        "registered before the watcher started: its first configuration was not seen (start levels)"));
            }
        }
        registration = context.registerService(Log.class, log, null);
    }

    @Override
    public void stop(BundleContext context) {
        context.removeServiceListener(listener);
        registration.unregister();
    }

    private static Seen seen(ServiceReference<?> ref, String event) {
        List<String> classes = Arrays.asList((String[]) ref.getProperty("objectClass"));
        String service = classes.contains(DBUS) ? DBUS : classes.contains(OVSDB) ? OVSDB : BUS;
        String key = service.equals(DBUS) ? "address" : service.equals(OVSDB) ? "remote" : "socket";
        Object raw = ref.getProperty(key);
        String value = raw == null ? null : raw instanceof String[] a ? String.join(",", a) : raw.toString();
        return new Seen(service, event, key, value, violation(key, value));
    }

    /**
     * @param key   {@code address}, {@code remote} or {@code socket}
     * @param value its configured value, null if missing
     * @return why this value makes the component contact the host, or null if it does not
     */
    static String violation(String key, String value) {
        if (value == null) {
            return key.equals("socket") ? null : "missing: the component's default is the host's";
        }
        String v = value.strip();
        if (key.equals("address") && (v.equals("system") || v.equals("session"))) {
            return "the host's " + v + " bus";
        }
        for (String part : v.split("[,;]")) {
            String path = part.replaceFirst("^(unix:path=|unix:abstract=|unix:)", "").strip();
            if (path.startsWith("/run/") || path.startsWith("/var/run/")) {
                return "a path under the host's /run: " + path;
            }
        }
        return null;
    }

    /**
     * @param context any bundle context of this framework
     * @return the watcher's log
     * @throws AssertionError if the watcher is not running (the test bundle has no activator?)
     */
    public static Log log(BundleContext context) {
        ServiceReference<Log> ref = context.getServiceReference(Log.class);
        if (ref == null) {
            throw new AssertionError("no " + Log.class.getName() + ": the test bundle's activator did not run");
        }
        return Objects.requireNonNull(context.getService(ref));
    }

    /**
     * JUnit 5 extension: after all tests of a class, fails if the watcher recorded any violation since the
     * framework started. Use with {@code @ExtendWith(HostIsolation.Check.class)} on every in-framework test class.
     */
    public static final class Check implements AfterAllCallback {
        /** Created by JUnit. */
        public Check() {
        }

        @Override
        public void afterAll(ExtensionContext context) {
            List<String> v = log(FrameworkUtil.getBundle(HostIsolation.class).getBundleContext()).violations();
            if (!v.isEmpty()) {
                throw new AssertionError("a component was pointed at the host's daemons: " + v);
            }
        }
    }
}
