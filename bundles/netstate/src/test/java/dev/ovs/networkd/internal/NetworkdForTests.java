package dev.ovs.networkd.internal;

import java.lang.annotation.Annotation;

/**
 * The networkd component of bundle {@code dev.ovs.networkd} outside a framework, for the network state's tests: its
 * activation takes a package-private configuration type, so this helper lives in the component's package (test
 * sources of dev.ovs.netstate only, on the class path next to the implementation jar).
 */
public final class NetworkdForTests {
    private NetworkdForTests() {
    }

    /**
     * @param networkDir the directory networkd reads as /etc/systemd/network
     * @param address    D-Bus address of networkd's (private) system bus
     * @return the activated component (services Networkd, NetworkFiles, Systemd); {@link #stop} it
     */
    public static NetworkdComponent start(String networkDir, String address) {
        NetworkdComponent c = new NetworkdComponent();
        c.activate(java.util.Map.of(), new NetworkdConfig() {
            @Override
            public String network_dir() {
                return networkDir;
            }

            @Override
            public String address() {
                return address;
            }

            @Override
            public int job_timeout_seconds() {
                return 10;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return NetworkdConfig.class;
            }
        });
        return c;
    }

    /** @param c a component from {@link #start} */
    public static void stop(NetworkdComponent c) {
        c.deactivate();
    }
}
