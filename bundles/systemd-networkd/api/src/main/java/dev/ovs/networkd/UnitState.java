package dev.ovs.networkd;

/**
 * State of a unit: the {@code org.freedesktop.systemd1.Unit} properties (org.freedesktop.systemd1(5)).
 *
 * @param name        unit name (its {@code Id})
 * @param path        unit object path
 * @param loadState   {@code LoadState}: loaded, not-found, bad-setting, error, masked
 * @param activeState {@code ActiveState}: active, reloading, inactive, failed, activating, deactivating
 * @param subState    {@code SubState}: unit-type specific, e.g. running, dead, exited
 */
public record UnitState(String name, String path, String loadState, String activeState, String subState) {
}
