package dev.ovs.dbus.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Test implementation of {@link TestPorts}: a map in memory (tests may override a member). */
class PortsImpl implements TestPorts {
    static final String PATH = "/dev/ovs/test/Ports1";
    final Map<String, String> ports = new ConcurrentHashMap<>(Map.of("p1", "one"));

    @Override
    public List<String> ListPorts() {
        return List.copyOf(new TreeMap<>(ports).keySet());
    }

    @Override
    public String Get(String port) {
        String v = ports.get(port);
        if (v == null) {
            throw new DomainException(ErrorKind.NotFound, "no port " + port, null);
        }
        return v;
    }

    @Override
    public void Set(String port, String value) {
        ports.put(port, value);
    }

    @Override
    public String getObjectPath() {
        return PATH;
    }
}
