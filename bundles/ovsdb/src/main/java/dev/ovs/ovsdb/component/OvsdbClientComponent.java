package dev.ovs.ovsdb.component;

import dev.ovs.base.ConfigValues;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.TransactionObserver;
import dev.ovs.ovsdb.rpc.OvsdbClientImpl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import java.util.Map;

/**
 * The {@link OvsdbClient} service (PID {@code dev.ovs.ovsdb}): the client implementation itself, one connection
 * to the configured ovsdb-server. Immediate, so the connection does not churn when consumers come and go; a
 * configuration change re-activates it (new connection); deactivation closes the connection and stops every
 * thread it started.
 * <p>
 * A subclass rather than annotations on {@link OvsdbClientImpl}, because the same implementation is also made
 * outside a framework ({@code OvsdbClients.connect}), where {@link #close()} closes it; here the connection is
 * shared by every user of the service and belongs to the component, so {@link #close()} is refused.
 */
@Component(name = OvsdbClientComponent.NAME, configurationPid = "dev.ovs.ovsdb",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, service = OvsdbClient.class, immediate = true)
@Designate(ocd = OvsdbConfig.class)
public class OvsdbClientComponent extends OvsdbClientImpl {
    /** Component name, the target of {@link VSwitchComponent}'s reference: {@value}. */
    public static final String NAME = "dev.ovs.ovsdb.client";

    /**
     * Checks the configuration ({@link #validate}), then starts connecting in the background.
     *
     * @param props the raw configuration properties of PID {@code dev.ovs.ovsdb}
     * @param cfg   the same, typed
     * @throws InvalidArgumentException naming the key and the rule ({@link #validate}, {@link #options}): the
     *                                  component is then not activated and {@code scr:info dev.ovs.ovsdb.client}
     *                                  shows the message
     */
    @Activate
    public OvsdbClientComponent(Map<String, Object> props, OvsdbConfig cfg) {
        super(options(validate(props, cfg)));
    }

    /**
     * The checks of PID {@code dev.ovs.ovsdb} that {@link ClientOptions} does not make, shared by this component
     * and {@link VSwitchComponent}: every value parses as its type ({@link ConfigValues#check}: {@code leader.only}
     * and {@code wait.for.vswitchd} only {@code true} or {@code false}), {@code bridge.datapath_type} is empty,
     * {@code system} or {@code netdev} (ovs-vswitchd.conf.db(5), Bridge datapath_type), {@code reconnect.max.ms}
     * is at least the first reconnect delay (100), {@code vswitchd.timeout.ms} at least 1.
     *
     * @param props the raw configuration properties
     * @param cfg   the same, typed
     * @return {@code cfg}
     * @throws InvalidArgumentException naming the first key that breaks its rule
     */
    static OvsdbConfig validate(Map<String, ?> props, OvsdbConfig cfg) {
        ConfigValues.check(props, OvsdbConfig.class);
        ConfigValues.oneOf("bridge.datapath_type", cfg.bridge_datapath__type(), "", "system", "netdev");
        ConfigValues.atLeast("reconnect.max.ms", cfg.reconnect_max_ms(), 100);
        ConfigValues.atLeast("vswitchd.timeout.ms", cfg.vswitchd_timeout_ms(), 1);
        return cfg;
    }

    /**
     * @param cfg configuration
     * @return the client options it names (reconnect backoff from 100 ms up to {@code reconnect.max.ms}; the TLS
     *         files when one of them is set); call {@link #validate} first
     * @throws dev.ovs.base.InvalidArgumentException naming the key: a malformed remote, an {@code ssl:} remote
     *                                               without {@code private.key}, {@code certificate} and
     *                                               {@code ca.cert}, one of the three set without the others
     *                                               (the component is then not activated; SCR logs the message)
     */
    static ClientOptions options(OvsdbConfig cfg) {
        boolean anyTls = !cfg.private_key().isBlank() || !cfg.certificate().isBlank() || !cfg.ca_cert().isBlank();
        ClientOptions.Tls tls = anyTls ? new ClientOptions.Tls(path(cfg.private_key()), path(cfg.certificate()),
                path(cfg.ca_cert())) : null;
        return new ClientOptions(cfg.remote(), cfg.probe_interval_ms(), cfg.request_timeout_ms(), cfg.max_message_bytes(),
                100, cfg.reconnect_max_ms(), tls, cfg.leader_only());
    }

    private static java.nio.file.Path path(String s) {
        return s.isBlank() ? null : java.nio.file.Path.of(s.strip());
    }

    /**
     * DS: every {@link TransactionObserver} service, dynamically ({@link #addTransactionObserver}).
     *
     * @param o an observer told of every transaction from now on
     */
    @Reference(service = TransactionObserver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "unbindTransactionObserver")
    public void bindTransactionObserver(TransactionObserver o) {
        addTransactionObserver(o);
    }

    /** @param o an observer going away */
    public void unbindTransactionObserver(TransactionObserver o) {
        removeTransactionObserver(o);
    }

    /** Closes the connection, its replicas and threads. */
    @Deactivate
    public void deactivate() {
        super.close();
    }

    /**
     * Refused: the component owns the shared connection (deactivation closes it).
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("the OvsdbClient service is closed by its component, not by users");
    }
}
