package dev.ovs.portagent.internal.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.base.ErrorKind;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few Docker Engine API calls the port agent needs (Docker Engine API v1.40+, also served by
 * {@code podman system service}): inspect, list with filters, and the {@code /events} stream.
 * Unversioned paths, so that dockerd and podman both pick their default version. Thread-safe (one
 * connection per call).
 */
public final class DockerClient {
    private final UnixHttp http;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration timeout;

    /**
     * @param socket  API socket, e.g. {@code /var/run/docker.sock}
     * @param timeout per-call time limit
     */
    public DockerClient(Path socket, Duration timeout) {
        this.http = new UnixHttp(socket);
        this.timeout = timeout;
    }

    /**
     * Facts about one container from {@code GET /containers/{id}/json}.
     *
     * @param id      full ID
     * @param name    name without leading '/'
     * @param running {@code State.Running}
     * @param pid     {@code State.Pid} (0 when not running)
     * @param labels  {@code Config.Labels}
     */
    public record ContainerInfo(String id, String name, boolean running, long pid, Map<String, String> labels) {
    }

    /**
     * A container from {@code GET /containers/json}.
     *
     * @param id     full ID
     * @param names  names without leading '/'
     * @param state  e.g. {@code running}
     * @param labels labels
     */
    public record Summary(String id, List<String> names, String state, Map<String, String> labels) {
    }

    /**
     * Inspects a container.
     *
     * @param idOrName ID, unique ID prefix or name (already validated)
     * @return its facts
     * @throws PortAgentException {@code NotFound} (404), {@code Unavailable} (socket missing or
     *                            refusing), {@code Timeout}, {@code Failed} (other status, bad JSON)
     */
    public ContainerInfo inspect(String idOrName) {
        String target = "/containers/" + URLEncoder.encode(idOrName, StandardCharsets.UTF_8) + "/json";
        JsonNode n = getJson(target, "container '" + idOrName + "'");
        JsonNode state = n.path("State");
        String name = n.path("Name").asText("");
        return new ContainerInfo(n.path("Id").asText(), name.startsWith("/") ? name.substring(1) : name,
                state.path("Running").asBoolean(false), state.path("Pid").asLong(0), labels(n.path("Config").path("Labels")));
    }

    /**
     * Lists containers.
     *
     * @param all     include stopped containers
     * @param filters Docker filters, e.g. {@code {"label": ["dev.ovs.bridge"]}}
     * @return the containers
     * @throws PortAgentException as {@link #inspect(String)}
     */
    public List<Summary> list(boolean all, Map<String, List<String>> filters) {
        String target = "/containers/json?all=" + all + (filters.isEmpty() ? "" : "&filters=" + encode(filters));
        JsonNode arr = getJson(target, "container list");
        List<Summary> out = new ArrayList<>();
        for (JsonNode n : arr) {
            List<String> names = new ArrayList<>();
            for (JsonNode x : n.path("Names")) {
                String s = x.asText();
                names.add(s.startsWith("/") ? s.substring(1) : s);
            }
            out.add(new Summary(n.path("Id").asText(), names, n.path("State").asText(""), labels(n.path("Labels"))));
        }
        return out;
    }

    /**
     * An open {@code /events} stream: iterate {@link #next()} on one thread, {@link #close()} from any
     * thread to stop it.
     */
    public final class Events implements Closeable {
        private final UnixHttp.Stream stream;
        private Iterator<JsonNode> it;

        Events(UnixHttp.Stream stream) {
            this.stream = stream;
        }

        /**
         * Blocks for the next event.
         *
         * @return the event object ({@code Type}, {@code Action}, {@code Actor.ID},
         *         {@code Actor.Attributes}, {@code time}), or null when the stream ended (daemon gone
         *         or {@link #close()} called)
         */
        public JsonNode next() {
            try {
                if (it == null) { // created lazily: Jackson reads ahead on construction, which blocks
                    MappingIterator<JsonNode> mi = json.readerFor(JsonNode.class).readValues(stream.body());
                    it = mi;
                }
                return it.hasNext() ? it.next() : null;
            } catch (IOException | RuntimeException e) {
                return null; // closed or broken: the caller reconnects and reconciles
            }
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /**
     * Opens {@code GET /events?filters=...}.
     *
     * @param filters e.g. {@code {"type": ["container"], "event": ["start","die"]}}
     * @return the open stream
     * @throws PortAgentException {@code Unavailable} if the socket cannot be reached, {@code Failed}
     *                            on a non-200 status
     */
    public Events events(Map<String, List<String>> filters) {
        String target = "/events" + (filters.isEmpty() ? "" : "?filters=" + encode(filters));
        UnixHttp.Stream s = null;
        try {
            s = http.stream(target, timeout);
            if (s.status() != 200) {
                throw new PortAgentException(ErrorKind.Failed, "Docker API GET " + target + " at " + http.socket() + ": HTTP "
                        + s.status(), null);
            }
            return new Events(s);
        } catch (IOException e) {
            closeQuietly(s);
            throw unavailable("GET " + target, e);
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /**
     * {@code GET /_ping}.
     *
     * @return true if the API answered {@code OK}
     */
    public boolean ping() {
        try {
            UnixHttp.Response r = http.request("GET", "/_ping", null, timeout);
            return r.status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // already failing
            }
        }
    }

    private String encode(Map<String, List<String>> filters) {
        try {
            return URLEncoder.encode(json.writeValueAsString(filters), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> labels(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }

    private JsonNode getJson(String target, String what) {
        UnixHttp.Response r;
        try {
            r = http.request("GET", target, null, timeout);
        } catch (SocketTimeoutException e) {
            throw new PortAgentException(ErrorKind.Timeout, "Docker API GET " + target + " at " + http.socket()
                    + ": no answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw unavailable("GET " + target, e);
        }
        if (r.status() == 404) {
            throw new PortAgentException(ErrorKind.NotFound, what + ": no such container (Docker API GET " + target + ": 404 "
                    + message(r) + ")", null);
        }
        if (r.status() != 200) {
            throw new PortAgentException(ErrorKind.Failed, what + ": Docker API GET " + target + " answered " + r.status() + " "
                    + message(r), null);
        }
        try {
            return json.readTree(r.body());
        } catch (IOException e) {
            throw new PortAgentException(ErrorKind.Failed, what + ": Docker API GET " + target + " returned malformed JSON", e);
        }
    }

    private String message(UnixHttp.Response r) {
        try {
            JsonNode n = json.readTree(r.body());
            if (n != null && n.hasNonNull("message")) {
                return n.get("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON
        }
        String t = r.text().trim();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    private PortAgentException unavailable(String what, IOException e) {
        return new PortAgentException(ErrorKind.Unavailable, "Docker API " + what + " at " + http.socket() + ": cannot connect ("
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
}
