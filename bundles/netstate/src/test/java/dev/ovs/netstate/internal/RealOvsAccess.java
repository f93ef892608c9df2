package dev.ovs.netstate.internal;

import dev.ovs.ovsdb.vswitch.VSwitch;

/** {@link RealOvs} for tests in other packages. */
public final class RealOvsAccess implements AutoCloseable {
    private final RealOvs real;

    /**
     * @throws Exception if the daemons do not start
     */
    public RealOvsAccess() throws Exception {
        real = new RealOvs();
    }

    /** @return the VSwitch */
    public VSwitch vswitch() {
        return real.vs;
    }

    /**
     * @param args ovs-vsctl arguments
     * @return trimmed output
     */
    public String vsctl(String... args) {
        return real.vsctl(args);
    }

    @Override
    public void close() {
        real.close();
    }
}
