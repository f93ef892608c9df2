package dev.ovs.dbus.internal;

import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.List;

/** {@link SwitchOps} over the OVSDB bundle's {@link VSwitch} service, with the strict (non may-exist) semantics. */
final class VSwitchOps implements SwitchOps {
    private final VSwitch vs;

    VSwitchOps(VSwitch vs) {
        this.vs = vs;
    }

    @Override
    public void createBridge(String bridge) {
        vs.addBridge(bridge, null, false);
    }

    @Override
    public void deleteBridge(String bridge) {
        vs.deleteBridge(bridge, false);
    }

    @Override
    public void addPort(String bridge, String port) {
        vs.addPort(bridge, port, null, false);
    }

    @Override
    public void deletePort(String bridge, String port) {
        vs.deletePort(bridge, port, false);
    }

    @Override
    public boolean bridgeExists(String bridge) {
        return vs.bridgeExists(bridge);
    }

    @Override
    public List<String> listBridges() {
        return vs.listBridges();
    }

    @Override
    public List<String> listBridgePorts(String bridge) {
        return vs.listPorts(bridge);
    }

    @Override
    public String transact(String params) {
        return vs.transact(params);
    }
}
