package dev.ovs.ovsdb.component;

import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import java.util.Map;

/**
 * The {@link VSwitch} service (PID {@code dev.ovs.ovsdb}: {@code wait.for.vswitchd}, {@code vswitchd.timeout.ms},
 * {@code bridge.datapath_type}): the VSwitch implementation itself, on this bundle's {@link OvsdbClient}
 * service, with one replica of the Open_vSwitch database that it opens on activation and closes on
 * deactivation.
 * <p>
 * A subclass rather than annotations on {@link VSwitchImpl}, because the same implementation is also made
 * outside a framework ({@code VSwitches.create}) on a client and replica the caller owns; here the component
 * owns the replica.
 */
@Component(configurationPid = "dev.ovs.ovsdb", configurationPolicy = ConfigurationPolicy.OPTIONAL, service = VSwitch.class,
        immediate = true)
public class VSwitchComponent extends VSwitchImpl {
    /**
     * Checks the configuration ({@link OvsdbClientComponent#validate}), then opens the replica (it syncs in the
     * background).
     *
     * @param client this bundle's client service
     * @param props  the raw configuration properties of PID {@code dev.ovs.ovsdb}
     * @param cfg    the same, typed
     * @throws dev.ovs.base.InvalidArgumentException naming the key and the rule broken (the component is then not
     *                                               activated; {@code scr:info} shows the message)
     */
    @Activate
    public VSwitchComponent(@Reference(target = "(component.name=" + OvsdbClientComponent.NAME + ")") OvsdbClient client,
            Map<String, Object> props, OvsdbConfig cfg) {
        this(client, OvsdbClientComponent.validate(props, cfg));
    }

    private VSwitchComponent(OvsdbClient client, OvsdbConfig cfg) {
        this(client, client.replica(VSwitch.DB, VSwitchImpl.replicaSpec()), cfg);
    }

    private VSwitchComponent(OvsdbClient client, Replica replica, OvsdbConfig cfg) {
        super(client, replica, cfg.wait_for_vswitchd(), cfg.vswitchd_timeout_ms(), cfg.bridge_datapath__type());
    }

    /** Closes the replica. */
    @Deactivate
    public void deactivate() {
        replica().close();
    }
}
