package dev.ovs.examples.qos;

import dev.ovs.bus.EventBus;
import dev.ovs.ovsdb.vswitch.VSwitch;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo commands, scope {@code qos}: {@code qos:ingress IFACE RATE_KBPS BURST_KB}, {@code qos:egress PORT MAX_RATE_BPS},
 * {@code qos:clear PORT}, {@code qos:get PORT} (JSON). Errors are thrown (exit 1 in the admin shell).
 */
@Component(service = QosCommands.class, property = {"osgi.command.scope=qos", "osgi.command.function=ingress",
    "osgi.command.function=egress", "osgi.command.function=clear", "osgi.command.function=get"})
public class QosCommands {
    @Reference
    private VSwitch vswitch;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    private QosManager m() {
        return new QosManager(vswitch, bus);
    }

    /** @param iface interface @param rateKbps kbit/s @param burstKb kbit @return JSON of the port */
    public String ingress(String iface, long rateKbps, long burstKb) {
        m().setIngressPolicing(iface, rateKbps, burstKb);
        return "OK";
    }

    /** @param port port @param maxRateBps bit/s @return JSON */
    public String egress(String port, long maxRateBps) {
        m().setEgressLimit(port, maxRateBps);
        return m().get(port);
    }

    /** @param port port @return JSON */
    public String clear(String port) {
        m().clear(port);
        return m().get(port);
    }

    /** @param port port @return JSON */
    public String get(String port) {
        return m().get(port);
    }
}
