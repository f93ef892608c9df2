package dev.ovs.portagent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.portagent.internal.docker.DockerClient;
import java.io.Closeable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Automatic mode: one platform thread reconciles ({@link Reconciler#reconcile(boolean)}), then
 * follows the Docker Engine {@code /events} stream (type container, events start and die): a started
 * container with labels {@code dev.ovs.bridge} and {@code dev.ovs.interface} is attached, a dying one
 * detached ({@code del-ports}). When the stream ends or cannot be opened it waits (1 s doubling to
 * 10 s) and starts over with a reconcile, so events missed meanwhile are not lost.
 */
public final class AutoAttach implements Closeable {
    private final PortAgentImpl agent;
    private final DockerClient docker;
    private final Consumer<String> log;
    private final Thread thread;
    private volatile boolean closed;
    private volatile DockerClient.Events events;
    private volatile long reconciles;
    private String lastError;
    private boolean offlineReconciled;
    private String lastReconcileError;

    /**
     * @param agent  the agent
     * @param docker the Docker API client
     * @param log    receives one line per notable thing (failures, reconcile results)
     */
    public AutoAttach(PortAgentImpl agent, DockerClient docker, Consumer<String> log) {
        this.agent = agent;
        this.docker = docker;
        this.log = log;
        this.thread = new Thread(this::run, "portagent-docker-events");
        this.thread.setDaemon(true);
    }

    /** Starts the thread. */
    public void start() {
        thread.start();
    }

    /** @return how many reconciles ran (one per (re)connect) */
    public long reconciles() {
        return reconciles;
    }

    private void run() {
        long backoff = 1000;
        while (!closed) {
            try {
                DockerClient.Events ev = docker.events(Map.of("type", List.of("container")));
                events = ev;
                agent.forgetAllContainers(); // events may have been missed while not subscribed
                if (closed) {
                    ev.close();
                    break;
                }
                // reconcile after subscribing: nothing that happens from now on is missed
                Reconciler.Reconciled r = new Reconciler(agent).reconcile(true);
                reconciles++;
                lastError = null;
                if (!r.isEmpty()) {
                    log.accept("reconcile: " + r);
                }
                backoff = 1000;
                JsonNode n;
                while (!closed && (n = ev.next()) != null) {
                    handle(n);
                }
                ev.close();
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    String msg = "docker events: " + e.getMessage();
                    if (!msg.equals(lastError)) { // log changes only, not every retry
                        log.accept(msg);
                        lastError = msg;
                    }
                    if (!offlineReconciled) {
                        // without the Docker API: still delete orphan veths and ports of vanished namespaces
                        try {
                            Reconciler.Reconciled r = new Reconciler(agent).reconcile(false);
                            offlineReconciled = true;
                            reconciles++;
                            log.accept("reconcile (Docker API unavailable): " + r);
                        } catch (RuntimeException e2) {
                            String m2 = "reconcile: " + e2.getMessage();
                            if (!m2.equals(lastReconcileError)) { // e.g. no VSwitch yet: once, not every retry
                                log.accept(m2);
                                lastReconcileError = m2;
                            }
                        }
                    }
                }
            }
            if (!closed) {
                synchronized (this) {
                    try {
                        if (!closed) {
                            wait(backoff); // close() notifies
                        }
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                backoff = Math.min(backoff * 2, 10000);
            }
        }
    }

    private void handle(JsonNode n) {
        String action = n.path("Action").asText(n.path("status").asText(""));
        String id = n.path("Actor").path("ID").asText(n.path("id").asText(""));
        Map<String, String> attrs = new LinkedHashMap<>();
        n.path("Actor").path("Attributes").fields().forEachRemaining(e -> attrs.put(e.getKey(), e.getValue().asText()));
        if (!action.startsWith("exec_") && !action.equals("top") && !action.startsWith("health_status")) {
            // the state or name of a container changed: drop cached resolutions of it
            agent.forgetContainer(id);
            agent.forgetContainer(attrs.get("name"));
        }
        if (id.isEmpty() || !attrs.containsKey(PortAgentImpl.L_BRIDGE) || !attrs.containsKey(PortAgentImpl.L_IFACE)) {
            return;
        }
        try {
            if (action.equals("start")) {
                Map<String, String> labels = docker.inspect(id).labels();
                agent.attachLabelled(id, labels, "auto");
            } else if (action.equals("die") || action.equals("died")) {
                agent.deletePorts(attrs.get(PortAgentImpl.L_BRIDGE), id, "auto");
            }
        } catch (RuntimeException e) {
            log.accept("auto " + action + " " + id + ": " + e.getMessage());
        }
    }

    /** Stops the thread (closing the stream unblocks it; an operation in progress completes) and waits for it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        DockerClient.Events ev = events;
        if (ev != null) {
            try {
                ev.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        // no interrupt: it would close FileChannels (e.g. the ledger's lock) the thread happens to use
        try {
            thread.join(10000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
