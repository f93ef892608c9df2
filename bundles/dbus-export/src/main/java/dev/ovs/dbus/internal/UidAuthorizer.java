package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusAuthorizer;
import dev.ovs.dbus.DbusCall;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The built-in {@link DbusAuthorizer} (configuration PID {@code dev.ovs.dbus}: {@code authz.enabled},
 * {@code authz.group}): a {@link dev.ovs.dbus.ReadOnly} member is permitted to every caller; any other member to
 * root (uid 0), the appliance's own uid ({@code /proc/self/status}) and callers with the configured group among
 * their groups ({@link DbusCall#groups()}: from the bus daemon, else from {@code /proc/<pid>/status}), and refused to
 * everyone else, including a caller whose uid is not known. The group is a numeric gid or a name looked up in
 * {@code /etc/group} (group(5); other NSS sources are not consulted), looked up again on each check while it is
 * not found. Refusals are logged at INFO.
 *
 * <p>Independent of the bus daemon's policy file, which is the first line of defence on a system bus
 * ({@code share/dbus-1/system.d}); this check also holds on a bus without it, and for every whiteboard export,
 * third-party ones included.
 */
@Component(service = DbusAuthorizer.class, configurationPid = "dev.ovs.dbus",
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "service.description=Patchbay built-in D-Bus authorization (root, own uid, authz.group)")
public final class UidAuthorizer implements DbusAuthorizer {
    private static final System.Logger LOG = System.getLogger(UidAuthorizer.class.getName());
    private static final Path ETC_GROUP = Path.of("/etc/group");

    private volatile boolean enabled = true;
    private volatile String group = "patchbay";
    private volatile long gid = -1;
    private volatile long ownUid = -1;
    private volatile Path groupFile = ETC_GROUP;

    /** For DS. */
    public UidAuthorizer() {
    }

    /**
     * Outside a framework (tests).
     *
     * @param group     group name or numeric gid allowed to call mutating members, or empty for none
     * @param groupFile the group(5) file to look names up in
     */
    UidAuthorizer(String group, Path groupFile) {
        this.groupFile = groupFile;
        configure(true, group);
    }

    @Activate
    void activate(java.util.Map<String, Object> props, DbusConfig config) {
        DbusConnectionComponent.validate(props, config);
        configure(config.authz_enabled(), config.authz_group());
    }

    private void configure(boolean on, String g) {
        enabled = on;
        group = g == null ? "" : g.trim();
        gid = -1;
        ownUid = ProcStatus.of(0).map(ProcStatus::effectiveUid).orElse(-1L);
        if (on && !group.isEmpty() && lookup().isEmpty()) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: authz.group '" + group + "' is not a group in " + groupFile
                    + ": mutating members are open to root and uid " + ownUid + " only until it exists");
        }
    }

    /** The configured group's gid, looked up (and kept) if not known yet. */
    private OptionalLong lookup() {
        long g = gid;
        if (g >= 0) {
            return OptionalLong.of(g);
        }
        String name = group;
        if (name.isEmpty()) {
            return OptionalLong.empty();
        }
        if (name.chars().allMatch(Character::isDigit)) {
            try {
                g = Long.parseLong(name);
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        } else {
            g = gidOf(name, groupFile);
        }
        if (g >= 0) {
            gid = g;
            return OptionalLong.of(g);
        }
        return OptionalLong.empty();
    }

    /** The gid of a group name in a group(5) file ({@code name:password:gid:members}), or -1. */
    static long gidOf(String name, Path file) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[0].equals(name)) {
                    return Long.parseLong(f[2].trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public boolean permits(DbusCall call) {
        if (!enabled || call.readOnly()) {
            return true;
        }
        long uid = call.uid();
        if (uid == 0 || (uid >= 0 && uid == ownUid)) {
            return true;
        }
        if (uid >= 0) {
            OptionalLong g = lookup();
            if (g.isPresent() && call.groups().contains(g.getAsLong())) {
                return true;
            }
        }
        LOG.log(Level.INFO, "dev.ovs.dbus: refused " + call.interfaceName() + "." + call.member() + " to "
                + call.callerText() + " (not root, not uid " + ownUid + ", not in group '" + group + "')");
        return false;
    }
}
