package dev.ovs.shell.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Tells systemd how the appliance is doing, with the notification protocol of sd_notify(3): datagrams of
 * newline-separated {@code VARIABLE=value} assignments to the {@code AF_UNIX} socket named by {@code $NOTIFY_SOCKET}
 * (a path, or {@code @name} for the abstract namespace), sent from this JVM (the unit's main process:
 * {@code bin/patchbay run} execs java), no subprocess. PID {@code dev.ovs.notify}. Without {@code $NOTIFY_SOCKET}
 * (not started by systemd with {@code Type=notify}) it does nothing and starts no thread.
 * <ul>
 * <li>{@code READY=1} with {@code STATUS=} once the appliance answers: the admin shell is bound (this component
 * references it) and the framework has reached its start level (system bundle ACTIVE).</li>
 * <li>Then every {@code interval} ({@code $WATCHDOG_USEC}/2 when systemd's watchdog is on for this PID, per
 * {@code $WATCHDOG_PID}; else {@code status.seconds}): the health is evaluated, {@code STATUS=} carries its
 * one-line summary ({@link HealthReport#summary()}), and {@code WATCHDOG=1} is added while the appliance is live:
 * with {@code watchdog.requires=live} (default) while no bundle or component is down, so an outage of
 * ovsdb-server or the bus daemon (which a restart of Patchbay would not cure) shows in STATUS but does not make
 * systemd kill the appliance; with {@code watchdog.requires=healthy} only while the whole report is ok. A frozen
 * or hung JVM sends nothing, and systemd's {@code WatchdogSec=} restarts it.</li>
 * <li>{@code STOPPING=1} on deactivation while the framework is stopping (not when only this bundle is updated).</li>
 * </ul>
 */
@Component(configurationPid = "dev.ovs.notify", configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = SystemdNotifier.Config.class)
public final class SystemdNotifier {
    private static final System.Logger LOG = System.getLogger(SystemdNotifier.class.getName());

    /** Configuration of PID {@code dev.ovs.notify}. */
    @ObjectClassDefinition(name = "Patchbay systemd notification", description = "READY, STATUS, WATCHDOG and "
            + "STOPPING to systemd (sd_notify protocol) when started with Type=notify")
    public @interface Config {
        /** @return {@code live} or {@code healthy} */
        @AttributeDefinition(name = "watchdog.requires", description = "When WATCHDOG=1 is sent: live (no bundle or "
                + "component down) or healthy (the whole health report ok)", options = {
                    @org.osgi.service.metatype.annotations.Option(value = "live", label = "live"),
                    @org.osgi.service.metatype.annotations.Option(value = "healthy", label = "healthy")})
        String watchdog_requires() default "live";

        /** @return STATUS= refresh period without a watchdog, seconds */
        @AttributeDefinition(name = "status.seconds", description = "STATUS= refresh period when systemd's "
                + "watchdog is off, seconds", min = "1", max = "3600")
        int status_seconds() default 30;
    }

    private final IntSupplier systemBundleState;
    private final Supplier<HealthReport> health;
    private final boolean requireHealthy;
    private final SocketAddress target;
    private final AFUNIXDatagramSocket socket;
    private final Duration interval;
    private final boolean watchdog;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param admin   the admin shell (referenced so that READY waits until it is bound)
     * @param health  the health evaluation
     * @param context the bundle context (the framework's state)
     * @param config  watchdog rule and status period
     * @throws IOException if {@code $NOTIFY_SOCKET} is set but no datagram socket can be made
     */
    @Activate
    public SystemdNotifier(@Reference AdminShellServer admin, @Reference HealthComponent health, BundleContext context,
            Map<String, Object> props, Config config) throws IOException {
        this(health::check, () -> context.getBundle(0).getState(), checked(props, config), System.getenv(),
                ProcessHandle.current().pid());
    }

    /**
     * @param health            the health evaluation
     * @param systemBundleState the system bundle's state ({@link Bundle#ACTIVE} once the framework has started,
     *                          {@link Bundle#STOPPING} while it stops)
     * @param config            the configuration
     * @param env     the environment: {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC}, {@code WATCHDOG_PID}
     * @param pid     this process's PID (compared with {@code WATCHDOG_PID})
     * @throws IOException              if no datagram socket can be made
     * @throws IllegalArgumentException if {@code watchdog.requires} is not live or healthy, or {@code NOTIFY_SOCKET}
     *                                  is neither an absolute path nor {@code @name}
     */
    SystemdNotifier(Supplier<HealthReport> health, IntSupplier systemBundleState, Config config,
            Map<String, String> env, long pid) throws IOException {
        this.systemBundleState = systemBundleState;
        this.health = health;
        String rule = config.watchdog_requires().trim();
        if (!rule.equals("live") && !rule.equals("healthy")) {
            throw new dev.ovs.base.InvalidArgumentException("watchdog.requires", "must be live or healthy, got '" + rule + "'");
        }
        dev.ovs.base.ConfigValues.between("status.seconds", config.status_seconds(), 1, 3600);
        this.requireHealthy = rule.equals("healthy");
        String notify = env.get("NOTIFY_SOCKET");
        if (notify == null || notify.isEmpty()) {
            target = null;
            socket = null;
            interval = null;
            watchdog = false;
            thread = null;
            return;
        }
        if (notify.startsWith("@")) {
            target = AFUNIXSocketAddress.inAbstractNamespace(notify.substring(1));
        } else if (notify.startsWith("/")) {
            target = AFUNIXSocketAddress.of(Path.of(notify));
        } else {
            throw new IllegalArgumentException("NOTIFY_SOCKET: must be an absolute path or @name (AF_UNIX), got '"
                    + notify + "'");
        }
        long usec = parseLong(env.get("WATCHDOG_USEC"));
        long watchdogPid = parseLong(env.get("WATCHDOG_PID"));
        this.watchdog = usec > 0 && (watchdogPid <= 0 || watchdogPid == pid);
        this.interval = watchdog ? Duration.ofNanos(usec * 1000 / 2)
                : Duration.ofSeconds(config.status_seconds());
        this.socket = AFUNIXDatagramSocket.newInstance();
        this.thread = new Thread(this::run, "patchbay-sd-notify");
        thread.setDaemon(true);
        thread.start();
    }

    private static Config checked(Map<String, ?> props, Config config) {
        dev.ovs.base.ConfigValues.check(props, Config.class);
        return config;
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return the period of STATUS= (and WATCHDOG=1), or null when not started by systemd */
    Duration interval() {
        return interval;
    }

    /** @return whether WATCHDOG=1 is sent (systemd's watchdog is on for this process) */
    boolean watchdog() {
        return watchdog;
    }

    private void run() {
        try {
            while (running && systemBundleState.getAsInt() != Bundle.ACTIVE) {
                Thread.sleep(100);
            }
            boolean first = true;
            while (running) {
                HealthReport r = health.get();
                StringBuilder msg = new StringBuilder();
                if (first) {
                    msg.append("READY=1\n");
                }
                msg.append("STATUS=").append(oneLine(r.summary())).append('\n');
                if (watchdog && (requireHealthy ? r.healthy() : live(r))) {
                    msg.append("WATCHDOG=1\n");
                }
                if (running) {
                    send(msg.toString());
                }
                first = false;
                Thread.sleep(Math.max(1, interval.toMillis()));
            }
        } catch (InterruptedException e) {
            // deactivated
        }
    }

    /** @return true while no bundle and no component is down (dependencies may be) */
    static boolean live(HealthReport r) {
        return r.checks().stream().filter(c -> c.name().equals("bundles") || c.name().equals("components"))
                .noneMatch(c -> c.status() == HealthReport.Status.DOWN);
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ').replace('\r', ' ');
        return t.length() > 1000 ? t.substring(0, 997) + "..." : t;
    }

    private synchronized void send(String message) {
        if (socket.isClosed()) {
            return;
        }
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        try {
            if (!socket.isConnected()) {
                socket.connect(target); // a DatagramPacket takes only IP addresses: send on the connected socket
            }
            socket.send(new DatagramPacket(b, b.length));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "systemd notification to " + target + " failed: " + e);
        }
    }

    /**
     * Stops the thread; sends {@code STOPPING=1} if the framework is stopping; closes the socket.
     */
    @Deactivate
    public void deactivate() {
        running = false;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (systemBundleState.getAsInt() == Bundle.STOPPING) {
            send("STOPPING=1\nSTATUS=stopping\n");
        }
        synchronized (this) {
            socket.close();
        }
    }
}
