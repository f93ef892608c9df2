package dev.ovs.fleet.internal;

import dev.ovs.netstate.NetState;

/** {@link StateService} over the OSGi network-state service {@link NetState} (bundle {@code dev.ovs.netstate}). */
final class NetStateAdapter implements StateService {
    private final NetState netState;

    NetStateAdapter(NetState netState) {
        this.netState = netState;
    }

    @Override
    public String show() {
        return netState.show();
    }

    @Override
    public String apply(String document, int confirmSeconds, String caller) {
        return netState.apply(document, confirmSeconds, caller);
    }

    @Override
    public void commit(String checkpoint) {
        netState.commit(checkpoint, "fleet");
    }

    @Override
    public void rollback(String checkpoint) {
        netState.rollback(checkpoint, "fleet");
    }

    @Override
    public String checkpointState(String checkpoint) {
        return netState.checkpoint(checkpoint).map(c -> c.state().wire()).orElse(null);
    }
}
