package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExports;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbusjava.InlineDispatch;
import java.util.List;
import java.util.Optional;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command, scope {@code dbus}: {@code dbus:status} — the appliance's D-Bus connection (address,
 * unique name, reconnects, dropped signals), inline dispatch (docs/dbus.md, "Inline dispatch") and every
 * whiteboard export with its state (docs/extending.md).
 */
@Component(service = DbusCommands.class, property = {"osgi.command.scope=dbus", "osgi.command.function=status"})
public final class DbusCommands {
    @Reference
    private DbusConnectionService dbus;
    @Reference
    private DbusExports exports;

    /** For DS. */
    public DbusCommands() {
    }

    DbusCommands(DbusConnectionService dbus, DbusExports exports) {
        this.dbus = dbus;
        this.exports = exports;
    }

    /**
     * {@code dbus:status}: one line for the connection, one for inline dispatch, then one per export
     * ({@code path  bus name  state  service id of bundle  [reason]}), sorted by path.
     *
     * @return the report, lines separated by {@code \n}
     */
    public String status() {
        StringBuilder out = new StringBuilder();
        Optional<DBusConnection> c = dbus.connection();
        out.append("connection: ").append(dbus.address()).append(" — ")
                .append(c.isPresent() ? "connected as " + dbus.uniqueName().orElse("?") : "not connected")
                .append(" (connections made: ").append(dbus.connectCount())
                .append(", signals dropped while disconnected: ").append(dbus.droppedSignals()).append(")\n");
        // the connection service of this bundle is its DbusConnectionComponent (inline dispatch is no API)
        InlineDispatch d = dbus instanceof DbusConnectionComponent own ? own.inlineDispatch().orElse(null) : null;
        out.append("inline dispatch: ");
        if (d == null) {
            out.append("— (no connection)\n");
        } else if (!d.installed()) {
            out.append("off: ").append(d.refusal()).append('\n');
        } else {
            out.append("on — ").append(d.inlineCalls()).append(" calls answered on the reader thread; taken off it: ")
                    .append(d.demoted().isEmpty() ? "none" : String.join(", ", d.demoted())).append('\n');
        }
        List<ExportStatus> all = exports.exports().stream()
                .sorted(java.util.Comparator.comparing(ExportStatus::objectPath)).toList();
        out.append("exports: ").append(all.size()).append('\n');
        for (ExportStatus s : all) {
            out.append("  ").append(s.objectPath()).append("  ").append(s.busName() == null ? "-" : s.busName())
                    .append("  ").append(s.state()).append("  service ").append(s.serviceId()).append(" of ")
                    .append(s.bundle());
            if (s.message() != null && !s.message().isEmpty()) {
                out.append("  (").append(s.message()).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }
}
