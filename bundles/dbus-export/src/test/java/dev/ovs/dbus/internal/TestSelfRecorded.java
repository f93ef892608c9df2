package dev.ovs.dbus.internal;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.RecordedByService;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * A test interface {@code dev.ovs.test.SelfRecorded1} whose mutating member records its calls in the ledger itself
 * ({@link RecordedByService}), next to one the exporter records.
 */
@DBusInterfaceName("dev.ovs.test.SelfRecorded1")
@ErrorNamespace("dev.ovs.test.SelfRecorded1.Error")
public interface TestSelfRecorded extends DBusInterface {
    /** @param value a value; recorded by the implementation as operation {@code test.own} */
    @RecordedByService
    void Own(String value);

    /** @param value a value; recorded by the exporter */
    void Plain(String value);
}
