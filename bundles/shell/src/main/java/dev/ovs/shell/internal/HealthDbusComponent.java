package dev.ovs.shell.internal;

import dev.ovs.dbus.DbusExport;
import dev.ovs.shell.dbus.Health1;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The D-Bus face of the health report: registered on the dev.ovs.dbus whiteboard ({@link DbusExport}), so it is
 * exported as {@value Health1#OBJECT_PATH} under the bus name {@value Health1#BUS_NAME} while the appliance is on
 * the bus. Each call evaluates the checks anew ({@link HealthComponent#check()}).
 */
@Component(service = Health1.class, property = {DbusExport.OBJECT_PATH + "=" + Health1.OBJECT_PATH,
    DbusExport.BUS_NAME + "=" + Health1.BUS_NAME})
public final class HealthDbusComponent implements Health1 {
    @Reference
    private HealthComponent health;

    /** For DS. */
    public HealthDbusComponent() {
    }

    @Override
    public String GetStatus() {
        return health.check().status().word();
    }

    @Override
    public String GetReport() {
        return health.check().json();
    }

    @Override
    public String getObjectPath() {
        return Health1.OBJECT_PATH;
    }
}
