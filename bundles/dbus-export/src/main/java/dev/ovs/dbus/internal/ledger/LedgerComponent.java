package dev.ovs.dbus.internal.ledger;

import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.dbus.ledger.LedgerEntry;
import dev.ovs.dbus.ledger.LedgerStats;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The appliance's one {@link Ledger} service (configuration PID {@code dev.ovs.ledger},
 * {@code etc/dev.ovs.ledger.cfg}): a {@link FileLedger} opened on activation and closed on deactivation. A file
 * that cannot be opened does not stop the component: the service is registered, its statistics name the reason,
 * and every write is refused with {@code Unavailable} until the file can be opened (each write tries again).
 */
@Component(service = Ledger.class, configurationPid = "dev.ovs.ledger", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, property = "service.description=Patchbay operation ledger")
@Designate(ocd = LedgerComponent.Config.class)
public final class LedgerComponent implements Ledger {
    /** Configuration of PID {@code dev.ovs.ledger}. */
    @ObjectClassDefinition(id = "dev.ovs.ledger", name = "Patchbay operation ledger",
            description = "The hash-chained (HMAC-SHA-256) ledger of every change made through Patchbay")
    public @interface Config {
        /**
         * @return the ledger file ({@code path}); empty: {@code <patchbay.state>/ledger.jsonl} (framework property
         *         {@code patchbay.state}, set by {@code bin/patchbay}), else {@code ledger.jsonl} in this bundle's
         *         data area. The key is {@code ledger.key} next to it.
         */
        @AttributeDefinition(name = "Ledger file", description = "JSON lines; empty: <patchbay.state>/ledger.jsonl. "
                + "The HMAC key is the file name up to its last '.' plus .key, next to it (mode 0600)")
        String path() default "";

        /** @return whether every line is forced to the device before the operation goes on ({@code sync}) */
        @AttributeDefinition(name = "Force every line to disk", description = "fsync every line before the operation "
                + "goes on (an intent that is not on disk does not protect anything)")
        boolean sync() default true;
    }

    private FileLedger ledger;

    /** For DS. */
    public LedgerComponent() {
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> props, Config config) {
        dev.ovs.base.ConfigValues.check(props, Config.class);
        dev.ovs.base.ConfigValues.absolutePath("path", config.path(), true);
        ledger = FileLedger.openOrRetry(resolve(context, config.path()), config.sync(), Clock.systemUTC());
    }

    /** The configured path, else {@code <patchbay.state>/ledger.jsonl}, else the bundle's data area. */
    static Path resolve(BundleContext context, String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String state = context.getProperty("patchbay.state");
        if (state != null && !state.isBlank()) {
            return Path.of(state.trim(), "ledger.jsonl");
        }
        return context.getDataFile("ledger.jsonl").toPath();
    }

    @Deactivate
    void deactivate() {
        ledger.close();
    }

    @Override
    public Intent begin(String caller, String operation, Map<String, String> args) {
        return ledger.begin(caller, operation, args);
    }

    @Override
    public LedgerStats stats() {
        return ledger.stats();
    }

    @Override
    public LedgerStats verify() {
        return ledger.verify();
    }

    @Override
    public List<LedgerEntry> tail(int n) {
        return ledger.tail(n);
    }
}
