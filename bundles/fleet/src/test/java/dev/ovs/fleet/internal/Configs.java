package dev.ovs.fleet.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** {@link FleetConfig} instances for tests: the annotation's defaults overridden by a map (keys = method names). */
final class Configs {
    private Configs() {
    }

    static FleetConfig of(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return (FleetConfig) Proxy.newProxyInstance(FleetConfig.class.getClassLoader(), new Class<?>[] {FleetConfig.class},
                (proxy, method, args) -> {
                    if (m.containsKey(method.getName())) {
                        return m.get(method.getName());
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    if (method.getName().equals("annotationType")) {
                        return FleetConfig.class;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
