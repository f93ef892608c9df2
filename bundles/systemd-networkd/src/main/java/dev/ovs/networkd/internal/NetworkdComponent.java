package dev.ovs.networkd.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.base.ConfigValues;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.networkd.JobMode;
import dev.ovs.networkd.JobResult;
import dev.ovs.networkd.LinkDescription;
import dev.ovs.networkd.LinkInfo;
import dev.ovs.networkd.LinkState;
import dev.ovs.networkd.LinkStateChange;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.networkd.NetworkdFile;
import dev.ovs.networkd.Systemd;
import dev.ovs.networkd.UnitFileChange;
import dev.ovs.networkd.UnitState;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * PID {@code dev.ovs.networkd}: registers {@link Systemd}, {@link Networkd} and {@link NetworkFiles}. The
 * D-Bus connection is the shared {@link DbusConnectionService} (optional dynamic reference; calls fail with
 * Unavailable while it is missing) unless {@code address} is set, then a private one. Link state changes are
 * published on the {@link EventBus} (optional dynamic reference) as {@code network.link.<name>.state}, the end of
 * every systemd job ({@link JobResult}) as {@code systemd.unit.<unit>.job}.
 * A configuration change re-activates the component.
 */
@Component(service = {Systemd.class, Networkd.class, NetworkFiles.class}, immediate = true,
        configurationPid = "dev.ovs.networkd", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NetworkdConfig.class)
public final class NetworkdComponent implements Systemd, Networkd, NetworkFiles {
    private static final System.Logger LOG = System.getLogger(NetworkdComponent.class.getName());

    private final SharedBusLink shared = new SharedBusLink();
    private OwnBusLink own;
    private SystemdClient systemd;
    private NetworkdClient networkd;
    private NetworkFilesImpl files;
    private volatile EventBus bus;
    private volatile int jobTimeoutSeconds = 90;

    /** For DS. */
    public NetworkdComponent() {
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDbus(DbusConnectionService s) {
        shared.bind(s);
    }

    void unbindDbus(DbusConnectionService s) {
        shared.unbind(s);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBus(EventBus b) {
        bus = b;
    }

    void unbindBus(EventBus b) {
        if (bus == b) {
            bus = null;
        }
    }

    /**
     * The rules of PID {@code dev.ovs.networkd}, shared with {@link UnitCommands}: every value parses as its type,
     * {@code network.dir} is an absolute path, {@code address} is empty or a D-Bus address
     * ({@link ConfigValues#dbusAddress}), {@code job.timeout.seconds} is at least 1.
     *
     * @param props  the raw configuration properties
     * @param config the same, typed
     * @return {@code config}
     * @throws dev.ovs.base.InvalidArgumentException naming the first key that breaks its rule (the component is then
     *                                               not activated; {@code scr:info} shows the message)
     */
    static NetworkdConfig validate(Map<String, ?> props, NetworkdConfig config) {
        ConfigValues.check(props, NetworkdConfig.class);
        ConfigValues.absolutePath("network.dir", config.network_dir(), false);
        if (config.address() != null && !config.address().isBlank()) {
            ConfigValues.dbusAddress("address", config.address());
        }
        ConfigValues.atLeast("job.timeout.seconds", config.job_timeout_seconds(), 1);
        return config;
    }

    @Activate
    void activate(Map<String, Object> props, NetworkdConfig config) {
        validate(props, config);
        String address = config.address() == null ? "" : config.address().trim();
        BusLink link;
        if (address.isEmpty()) {
            link = shared;
        } else {
            own = new OwnBusLink(address, 1000);
            link = own;
        }
        jobTimeoutSeconds = config.job_timeout_seconds();
        systemd = new SystemdClient(link, this::publishJob);
        networkd = new NetworkdClient(link, this::publish);
        files = new NetworkFilesImpl(ConfigValues.absolutePath("network.dir", config.network_dir(), false), networkd::reload);
    }

    @Deactivate
    void deactivate() {
        networkd.close();
        systemd.close();
        if (own != null) {
            own.close();
            own = null;
        }
    }

    int jobTimeoutSeconds() {
        return jobTimeoutSeconds;
    }

    private void publish(LinkStateChange c) {
        publish(Topics.of("network", "link", c.name(), "state"), c.toPayload(), LinkStateChange.TYPE);
    }

    private void publishJob(JobResult r) {
        if (r.unit() != null && !r.unit().isEmpty()) {
            publish(Topics.of("systemd", "unit", r.unit(), "job"), r.toPayload(), JobResult.TYPE);
        }
    }

    private void publish(String topic, Map<String, Object> payload, String type) {
        EventBus b = bus;
        if (b != null) {
            try {
                b.publish(topic, payload, type);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.networkd: cannot publish " + topic + ": " + e);
            }
        }
    }

    @Override
    public JobResult start(String unit, JobMode mode, Duration timeout) {
        return systemd.start(unit, mode, timeout);
    }

    @Override
    public JobResult stop(String unit, JobMode mode, Duration timeout) {
        return systemd.stop(unit, mode, timeout);
    }

    @Override
    public JobResult restart(String unit, JobMode mode, Duration timeout) {
        return systemd.restart(unit, mode, timeout);
    }

    @Override
    public JobResult reloadOrRestart(String unit, JobMode mode, Duration timeout) {
        return systemd.reloadOrRestart(unit, mode, timeout);
    }

    @Override
    public UnitState unitState(String unit) {
        return systemd.unitState(unit);
    }

    @Override
    public List<UnitFileChange> enable(List<String> f, boolean runtime, boolean force) {
        return systemd.enable(f, runtime, force);
    }

    @Override
    public List<UnitFileChange> disable(List<String> f, boolean runtime) {
        return systemd.disable(f, runtime);
    }

    @Override
    public void daemonReload() {
        systemd.daemonReload();
    }

    @Override
    public List<LinkInfo> links() {
        return networkd.links();
    }

    @Override
    public LinkInfo link(String name) {
        return networkd.link(name);
    }

    @Override
    public LinkInfo link(int index) {
        return networkd.link(index);
    }

    @Override
    public LinkState linkState(String name) {
        return networkd.linkState(name);
    }

    @Override
    public LinkDescription describe(String name) {
        return networkd.describe(name);
    }

    @Override
    public JsonNode describeManager() {
        return networkd.describeManager();
    }

    @Override
    public void reload() {
        networkd.reload();
    }

    @Override
    public void reconfigure(String name) {
        networkd.reconfigure(name);
    }

    @Override
    public Path directory() {
        return files.directory();
    }

    @Override
    public Path write(String fileName, NetworkdFile file, boolean reload) {
        return files.write(fileName, file, reload);
    }

    @Override
    public boolean remove(String fileName, boolean reload) {
        return files.remove(fileName, reload);
    }

    @Override
    public List<String> owned() {
        return files.owned();
    }

    @Override
    public Optional<NetworkdFile> read(String fileName) {
        return files.read(fileName);
    }

    @Override
    public Path configureStatic(String link, List<String> addresses, String gateway) {
        return files.configureStatic(link, addresses, gateway);
    }

    @Override
    public Path configureDhcp(String link, String mode) {
        return files.configureDhcp(link, mode);
    }

    @Override
    public boolean unconfigure(String link) {
        return files.unconfigure(link);
    }
}
