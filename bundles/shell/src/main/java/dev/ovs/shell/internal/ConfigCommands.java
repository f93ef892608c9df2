package dev.ovs.shell.internal;

import dev.ovs.base.InvalidArgumentException;
import java.io.IOException;
import java.lang.reflect.Array;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Gogo commands, scope {@code config} (after Apache Karaf's {@code config:*}): the appliance's configuration as
 * ConfigurationAdmin holds it, described by the MetaType service, edited in {@code etc/PID.cfg}.
 * <ul>
 * <li>{@code config:list}: every PID with a metatype definition or a configuration: PID, bundle, file.</li>
 * <li>{@code config:get PID}: each attribute of PID's metatype with its type, current value, default and
 * description, then properties of the configuration the metatype does not define.</li>
 * <li>{@code config:set PID KEY VALUE}: checks VALUE against PID's metatype ({@link MetatypeCheck}: attribute
 * exists, single-valued, type, options, range) before anything is written, then sets KEY in the PID's
 * {@code .cfg} file (the file fileinstall read it from, else {@code <patchbay.etc>/PID.cfg}) atomically
 * ({@link CfgFile}) and waits up to {@code felix.fileinstall.poll} + 5 s for ConfigurationAdmin to hold the new
 * value (fileinstall applies it live; the component re-activates with it).</li>
 * </ul>
 * Failures end the command with status 1 and one line {@code error: KEY: rule} (bad input) or
 * {@code error: ...} (no such PID, no etc directory, I/O).
 */
@Component(service = ConfigCommands.class, property = {"osgi.command.scope=config", "osgi.command.function=list",
    "osgi.command.function=get", "osgi.command.function=set"})
public final class ConfigCommands {
    /** Property fileinstall adds to each configuration it made: the URI of its file. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final BundleContext context;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MetaTypeService metaType;

    /**
     * @param context for the bundles (their metatype) and the framework properties {@code patchbay.etc},
     *                {@code felix.fileinstall.dir}, {@code felix.fileinstall.poll}
     */
    @Activate
    public ConfigCommands(BundleContext context) {
        this.context = context;
    }

    ConfigCommands(BundleContext context, ConfigurationAdmin configAdmin, MetaTypeService metaType) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.metaType = metaType;
    }

    /** One PID's definition: the bundle that declares it and its object class definition. */
    record Definition(String pid, Bundle bundle, ObjectClassDefinition ocd) {
    }

    /**
     * @return one line per PID, sorted: {@code PID  BUNDLE  FILE}, FILE being the {@code .cfg} fileinstall read
     *         it from, {@code (defaults)} when the PID has no configuration, {@code (not from a file)} otherwise;
     *         BUNDLE {@code (no metatype)} for a configuration nobody describes
     * @throws IllegalStateException if ConfigurationAdmin or the MetaType service is not running
     */
    public String list() {
        Map<String, Definition> defs = definitions();
        Map<String, Configuration> configs = configurations();
        TreeSet<String> pids = new TreeSet<>(defs.keySet());
        pids.addAll(configs.keySet());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PID", "BUNDLE", "FILE"});
        for (String pid : pids) {
            Definition d = defs.get(pid);
            Configuration c = configs.get(pid);
            rows.add(new String[] {pid, d == null ? "(no metatype)" : d.bundle().getSymbolicName(), source(c)});
        }
        return table(rows);
    }

    /**
     * @param pid a PID, e.g. {@code dev.ovs.bus}
     * @return {@code PID - NAME}, {@code   bundle B, file F}, then per metatype attribute two lines:
     *         {@code   KEY = VALUE} ({@code DEFAULT (default)} when the configuration does not set it) and
     *         {@code       TYPE, default "D". DESCRIPTION}; then {@code   KEY = VALUE (not in the metatype)} for
     *         other properties of the configuration
     * @throws IllegalArgumentException if the PID has neither a metatype definition nor a configuration
     * @throws IllegalStateException    if ConfigurationAdmin or the MetaType service is not running
     */
    public String get(String pid) {
        Definition d = definitions().get(pid);
        Configuration c = configurations().get(pid);
        if (d == null && c == null) {
            throw new InvalidArgumentException("PID", "no metatype definition and no configuration for '" + pid
                    + "' (config:list shows the PIDs)");
        }
        Map<String, Object> props = properties(c);
        props.remove(FILEINSTALL_FILENAME);
        StringBuilder sb = new StringBuilder(pid);
        if (d != null && d.ocd().getName() != null) {
            sb.append(" - ").append(d.ocd().getName());
        }
        sb.append("\n  bundle ").append(d == null ? "(no metatype)" : d.bundle().getSymbolicName()).append(", file ")
                .append(source(c)).append('\n');
        AttributeDefinition[] ads = d == null ? null : d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL);
        for (AttributeDefinition ad : ads == null ? new AttributeDefinition[0] : ads) {
            Object v = props.remove(ad.getID());
            String def = ad.getDefaultValue() == null ? null : String.join(",", ad.getDefaultValue());
            sb.append("  ").append(ad.getID()).append(" = ")
                    .append(v != null ? text(v) : def != null ? def + " (default)" : "(unset)").append('\n');
            sb.append("      ").append(MetatypeCheck.typeName(ad.getType()));
            if (ad.getCardinality() != 0) {
                sb.append(", cardinality ").append(ad.getCardinality());
            }
            if (ad.getOptionValues() != null && ad.getOptionValues().length > 0) {
                sb.append(", one of ").append(String.join("|", ad.getOptionValues()));
            }
            if (def != null) {
                sb.append(", default \"").append(def).append('"');
            }
            if (ad.getDescription() != null && !ad.getDescription().isBlank()) {
                sb.append(". ").append(ad.getDescription());
            }
            sb.append('\n');
        }
        for (Map.Entry<String, Object> e : props.entrySet()) {
            sb.append("  ").append(e.getKey()).append(" = ").append(text(e.getValue()))
                    .append(" (not in the metatype)\n");
        }
        return sb.toString();
    }

    /**
     * @param pid   a PID with a metatype definition, e.g. {@code dev.ovs.bus}
     * @param key   an attribute of its metatype, e.g. {@code queue.size}
     * @param value the new value, e.g. {@code 2048}
     * @return {@code PID: KEY=VALUE written to FILE and applied} (or {@code ...; not applied yet} if
     *         ConfigurationAdmin does not hold it within the wait)
     * @throws InvalidArgumentException if PID has no metatype, KEY is not one of its attributes or VALUE breaks its
     *                                  rules (nothing is written)
     * @throws IllegalStateException    if the services are missing or the file cannot be written
     * @throws InterruptedException     if interrupted while waiting for the new value to apply
     */
    public String set(String pid, String key, String value) throws InterruptedException {
        Definition d = definitions().get(pid);
        if (d == null) {
            throw new InvalidArgumentException("PID", "no metatype definition for '" + pid
                    + "': config:set changes only described PIDs (config:list shows them)");
        }
        AttributeDefinition ad = MetatypeCheck.attribute(d.ocd(), pid, key);
        MetatypeCheck.check(ad, value);
        Configuration c = configurations().get(pid);
        Path file = fileOf(pid, c);
        try {
            CfgFile.set(file, key, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
        long poll = longProperty("felix.fileinstall.poll", 2000);
        long deadline = System.nanoTime() + Duration.ofMillis(poll + 5000).toNanos();
        while (System.nanoTime() < deadline) {
            Object now = properties(configurations().get(pid)).get(key);
            if (now != null && text(now).equals(value)) {
                return pid + ": " + key + "=" + value + " written to " + file + " and applied";
            }
            Thread.sleep(100);
        }
        return pid + ": " + key + "=" + value + " written to " + file + "; not applied yet (fileinstall reads "
                + file.getParent() + " every " + poll + " ms; values with ${...} are substituted)";
    }

    private Path fileOf(String pid, Configuration c) {
        Object f = c == null ? null : properties(c).get(FILEINSTALL_FILENAME);
        if (f != null) {
            String s = f.toString();
            return s.startsWith("file:") ? Path.of(URI.create(s)) : Path.of(s);
        }
        String etc = context.getProperty("patchbay.etc");
        if (etc == null || etc.isBlank()) {
            etc = context.getProperty("felix.fileinstall.dir");
        }
        if (etc == null || etc.isBlank()) {
            throw new IllegalStateException("no configuration directory: neither the framework property "
                    + "patchbay.etc nor felix.fileinstall.dir is set");
        }
        return Path.of(etc, pid + ".cfg");
    }

    private long longProperty(String name, long fallback) {
        try {
            String v = context.getProperty(name);
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** @return PID → definition, over every bundle's metatype information (the first bundle wins a PID) */
    Map<String, Definition> definitions() {
        MetaTypeService mts = metaType;
        if (mts == null) {
            throw new IllegalStateException("the MetaType service (org.apache.felix.metatype) is not running");
        }
        Map<String, Definition> defs = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info;
            try {
                info = mts.getMetaTypeInformation(b);
            } catch (RuntimeException e) {
                continue; // a bundle uninstalled meanwhile
            }
            if (info == null || info.getPids() == null) {
                continue;
            }
            for (String pid : info.getPids()) {
                try {
                    ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
                    if (ocd != null) {
                        defs.putIfAbsent(pid, new Definition(pid, b, ocd));
                    }
                } catch (IllegalArgumentException e) {
                    // no definition for the default locale
                }
            }
        }
        return defs;
    }

    private Map<String, Configuration> configurations() {
        ConfigurationAdmin ca = configAdmin;
        if (ca == null) {
            throw new IllegalStateException("ConfigurationAdmin (org.apache.felix.configadmin) is not running");
        }
        Configuration[] all;
        try {
            all = ca.listConfigurations(null);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot list configurations: " + e.getMessage(), e);
        }
        Map<String, Configuration> m = new TreeMap<>();
        if (all != null) {
            for (Configuration c : all) {
                m.put(c.getPid(), c);
            }
        }
        return m;
    }

    /** @return the configuration's properties without the framework's bookkeeping keys (sorted, mutable) */
    private static Map<String, Object> properties(Configuration c) {
        Map<String, Object> m = new TreeMap<>();
        Dictionary<String, Object> d = c == null ? null : c.getProperties();
        if (d != null) {
            for (Enumeration<String> e = d.keys(); e.hasMoreElements();) {
                String k = e.nextElement();
                m.put(k, d.get(k));
            }
        }
        m.remove("service.pid");
        m.remove("service.factoryPid");
        m.remove("service.bundleLocation");
        return m;
    }

    private static String source(Configuration c) {
        if (c == null) {
            return "(defaults)";
        }
        Object f = properties(c).get(FILEINSTALL_FILENAME);
        if (f == null) {
            return "(not from a file)";
        }
        String s = f.toString();
        return s.startsWith("file:") ? Path.of(URI.create(s)).toString() : s;
    }

    private static String text(Object v) {
        if (v != null && v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                parts.add(String.valueOf(Array.get(v, i)));
            }
            return String.join(",", parts);
        }
        return String.valueOf(v);
    }

    /** @return rows as left-aligned columns separated by two spaces, the last column unpadded */
    static String table(List<String[]> rows) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < r.length - 1; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i < r.length - 1 ? String.format("%-" + w[i] + "s  ", r[i]) : r[i]);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
