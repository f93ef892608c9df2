package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A private {@code podman} (podman(1), 4.3) installation under {@code dir}, plus its Docker-compatible
 * API socket from {@code podman system service}.
 *
 * <p>Global flags on every podman call ({@link #globalArgs()}): {@code --root DIR/root --runroot
 * DIR/run --tmpdir DIR/tmp --volumepath DIR/vol --network-config-dir DIR/net} (never touches the host's
 * {@code /var/lib/containers} or {@code /run/containers}), {@code --storage-driver vfs} (plain
 * directories: no overlay mounts to leak), {@code --runtime /usr/sbin/runc --cgroup-manager cgroupfs}
 * (crun and the systemd cgroup manager do not work in this sandbox), {@code --events-backend file}
 * (no journald).
 *
 * <p>Image: a busybox rootfs built by the harness from the static {@code /bin/busybox} (Debian
 * {@code busybox-static}) with one symlink per applet, packed with {@code tar} and {@code podman
 * import}ed as {@value #IMAGE}. Nothing is pulled.
 *
 * <p>Containers ({@link #run(String, Map)}): {@code --network none} (the test wires networking itself,
 * e.g. a veth into {@code /proc/PID/ns/net}), {@code --ulimit nofile=1024:1024 --ulimit
 * nproc=4096:4096} (runc cannot inherit the sandbox's limits), {@code --pull never}, command
 * {@code sleep 2147483647}.
 *
 * <p>Locks: {@code CONTAINERS_CONF=DIR/containers.conf} with {@code lock_type = "file"}, see
 * {@link #env()}.
 *
 * <p>API: {@code podman system service --time=0 unix://DIR/podman.sock} runs as a tracked child;
 * e.g. {@code curl --unix-socket DIR/podman.sock http://d/v1.40/containers/json}.
 *
 * <p>{@link #close()}: {@code podman rm -a -f -t 0}, waits for each container's {@code conmon} to exit
 * (it is re-parented away from this JVM, so it is tracked by its PID from {@code podman inspect}),
 * stops the service by PID, unmounts anything still mounted under {@code dir} (container {@code shm}),
 * and deletes the podman state in {@code dir}.
 */
public final class Podman implements AutoCloseable {
    /** Name of the imported image. */
    public static final String IMAGE = "localhost/pbt-busybox:latest";
    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration CMD = Duration.ofSeconds(60);

    private final Path dir;
    private final Path apiSocket;
    private final List<Long> conmons = new ArrayList<>();
    private final Service service;

    private Podman(Path dir) {
        this.dir = dir;
        this.apiSocket = ShortTempDir.checkSocketPath(dir.resolve("podman.sock"));
        this.service = new Service();
    }

    /** {@code podman system service}: the Docker-compatible API; ready when {@code GET /_ping} answers OK. */
    private final class Service extends RestartableDaemon {
        Service() {
            super("podman-service", null, dir.resolve("podman-service.log"), READY);
        }

        @Override
        protected List<String> command() {
            List<String> argv = new ArrayList<>();
            argv.add("podman");
            argv.addAll(globalArgs());
            argv.addAll(List.of("system", "service", "--time=0", "unix://" + apiSocket));
            return argv;
        }

        @Override
        protected Map<String, String> environment() {
            return env();
        }

        @Override
        public Path socket() {
            return apiSocket;
        }

        @Override
        protected boolean answers() {
            return "OK".equals(api("/_ping").trim());
        }

        @Override
        protected String readiness() {
            return "GET /_ping on " + apiSocket;
        }

        @Override
        protected List<Path> files() {
            return List.of(apiSocket, log());
        }
    }

    /**
     * Builds and imports the busybox image, then starts the API service.
     *
     * @param dir existing short directory ({@link ShortTempDir}); podman state goes below it
     * @return a ready podman whose API answers {@code GET /_ping} with {@code OK}
     * @throws IllegalArgumentException if dir is not a directory
     * @throws IllegalStateException    if the service does not answer within 30 s
     */
    public static Podman start(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        Tools.require("podman");
        Tools.require("runc");
        Tools.require("conmon");
        Tools.require("tar");
        Tools.require("curl");
        Path busybox = Tools.require("busybox");
        Podman p = new Podman(dir);
        try {
            writeContainersConf(dir);
            p.importImage(busybox);
            p.service.start();
        } catch (IOException e) {
            p.close();
            throw new UncheckedIOException("cannot write " + p.containersConf(), e);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    private void importImage(Path busybox) {
        Path rootfs = dir.resolve("rootfs");
        try {
            for (String d : List.of("bin", "etc", "tmp", "proc", "sys", "dev", "root")) {
                Files.createDirectories(rootfs.resolve(d));
            }
            Files.copy(busybox, rootfs.resolve("bin/busybox"));
            rootfs.resolve("bin/busybox").toFile().setExecutable(true, false);
            for (String applet : Cmd.run(busybox.toString(), "--list").split("\\s+")) {
                if (!applet.isBlank() && !applet.equals("busybox")) {
                    Path link = rootfs.resolve("bin").resolve(applet.trim());
                    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, Path.of("busybox"));
                    }
                }
            }
            Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build busybox rootfs in " + rootfs, e);
        }
        Path tar = dir.resolve("rootfs.tar");
        Cmd.run("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".");
        ShortTempDir.deleteTree(rootfs);
        podman("import", "--quiet", tar.toString(), IMAGE);
        try {
            Files.deleteIfExists(tar);
        } catch (IOException e) {
            // best effort
        }
    }

    private Path containersConf() {
        return dir.resolve("containers.conf");
    }

    /** Writes {@code DIR/containers.conf} with {@code [engine] lock_type = "file"} (see {@link #env()}). */
    static void writeContainersConf(Path dir) throws IOException {
        Files.writeString(dir.resolve("containers.conf"), "[engine]\nlock_type = \"file\"\n");
    }

    /** @return {@link #env()} of a podman confined to {@code dir} */
    static Map<String, String> env(Path dir) {
        return Map.of("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
    }

    /** @return {@link #globalArgs()} of a podman confined to {@code dir} */
    static List<String> globalArgs(Path dir) {
        return List.of("--root", dir.resolve("root").toString(), "--runroot", dir.resolve("run").toString(),
                "--tmpdir", dir.resolve("tmp").toString(), "--volumepath", dir.resolve("vol").toString(),
                "--network-config-dir", dir.resolve("net").toString(), "--storage-driver", "vfs",
                "--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file");
    }

    /**
     * Environment for every podman call: {@code CONTAINERS_CONF=DIR/containers.conf}, which sets
     * {@code [engine] lock_type = "file"} (containers.conf(5)) so container locks live in
     * {@code DIR/tmp/locks} instead of the host-wide SHM segment {@code /dev/shm/libpod_lock} (a fresh
     * podman state "refreshes" and frees <em>all</em> SHM locks, which would disturb other podman users).
     * conmon inherits it, so its exit command uses the same configuration.
     *
     * @return the environment to add when running podman yourself
     */
    public Map<String, String> env() {
        return env(dir);
    }

    /** @return the global podman flags that confine it to {@code dir} (see class doc) */
    public List<String> globalArgs() {
        return globalArgs(dir);
    }

    /** @return the Docker-compatible API socket {@code DIR/podman.sock} */
    public Path apiSocket() {
        return apiSocket;
    }

    /** @return {@code unix://DIR/podman.sock}, a DOCKER_HOST-style URL */
    public String apiUrl() {
        return "unix://" + apiSocket;
    }

    /** @return the image name, {@value #IMAGE} */
    public String image() {
        return IMAGE;
    }

    /** @return the API service: stop, start and restart it like any {@link RestartableDaemon} */
    public RestartableDaemon service() {
        return service;
    }

    /**
     * Runs {@code podman GLOBAL_ARGS ARGS}.
     *
     * @param args podman command and arguments
     * @return stdout
     * @throws Cmd.Failed on non-zero exit or after 60 s
     */
    public String podman(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("podman");
        argv.addAll(globalArgs());
        argv.addAll(List.of(args));
        return Cmd.run(argv, env(), CMD);
    }

    /**
     * Starts a detached container running {@code sleep 2147483647} (see class doc for flags).
     *
     * @param name   container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, podman-run(1))
     * @param labels labels to set (may be empty)
     * @return the full container id (64 hex digits)
     * @throws IllegalArgumentException if name is invalid or a label key is blank
     * @throws Cmd.Failed               if podman fails
     */
    public String run(String name, Map<String, String> labels) {
        if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new IllegalArgumentException("name: must match [a-zA-Z0-9][a-zA-Z0-9_.-]*, got '" + name + "'");
        }
        List<String> a = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "none", "--pull", "never",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"));
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                throw new IllegalArgumentException("labels: keys must be non-blank");
            }
            a.add("--label");
            a.add(e.getKey() + "=" + e.getValue());
        }
        a.addAll(List.of(IMAGE, "/bin/sleep", "2147483647"));
        String id = podman(a.toArray(String[]::new)).trim();
        String conmon = podman("inspect", "-f", "{{.State.ConmonPid}}", id).trim();
        synchronized (conmons) {
            conmons.add(Long.parseLong(conmon));
        }
        return id;
    }

    /**
     * PID (in this PID namespace) of a running container's init process.
     *
     * @param idOrName container id or name
     * @return the PID, {@code > 0}
     * @throws IllegalStateException if the container is not running
     */
    public int pid(String idOrName) {
        int pid = Integer.parseInt(podman("inspect", "-f", "{{.State.Pid}}", idOrName).trim());
        if (pid <= 0) {
            throw new IllegalStateException("container " + idOrName + " is not running (pid " + pid + ")");
        }
        return pid;
    }

    /**
     * Removes a container forcibly ({@code podman rm -f -t 0}) and waits for its conmon to exit.
     *
     * @param idOrName container id or name
     */
    public void rm(String idOrName) {
        podman("rm", "-f", "-t", "0", idOrName);
        awaitConmons();
    }

    /**
     * GET on the API socket via {@code curl --unix-socket}.
     *
     * @param path request path, e.g. {@code "/_ping"} or {@code "/v1.40/containers/json"}
     * @return the response body
     * @throws Cmd.Failed on connection failure or HTTP status >= 400 ({@code curl -f})
     */
    public String api(String path) {
        return Cmd.run(List.of("curl", "-sS", "-f", "--max-time", "20", "--unix-socket", apiSocket.toString(),
                "http://d" + path), Duration.ofSeconds(30));
    }

    private void awaitConmons() {
        long deadline = System.nanoTime() + 15_000_000_000L;
        List<Long> live;
        do {
            synchronized (conmons) {
                conmons.removeIf(pid -> !running(pid));
                live = new ArrayList<>(conmons);
            }
            if (live.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (System.nanoTime() < deadline);
        // conmon normally exits once its container is gone; as a last resort stop it by its PID
        for (long pid : live) {
            if (running(pid)) {
                ProcessHandle.of(pid).ifPresent(Daemon::stop);
            }
        }
    }

    /** @return whether the PID exists and is not a zombie (state from /proc/PID/stat) */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes all containers, stops the service by PID, unmounts leftovers under dir, deletes state. */
    @Override
    public void close() {
        try {
            if (Files.isDirectory(dir.resolve("root"))) {
                podman("rm", "-a", "-f", "-t", "0");
            }
        } catch (RuntimeException e) {
            // keep cleaning
        } finally {
            awaitConmons();
            service.close();
            List<String> mounts = new ArrayList<>(Leftovers.mountPoints());
            mounts.sort((a, b) -> b.length() - a.length());
            for (String m : mounts) {
                if (m.startsWith(dir + "/")) {
                    Cmd.status(List.of("umount", m), Duration.ofSeconds(10));
                }
            }
            ShortTempDir.deleteTree(dir.resolve("rootfs"));
            try {
                Files.deleteIfExists(dir.resolve("rootfs.tar"));
            } catch (IOException e) {
                // best effort
            }
            deleteState(dir);
        }
    }

    /** Deletes the podman state of {@link #globalArgs(Path)} and {@code containers.conf} under dir (best effort). */
    static void deleteState(Path dir) {
        for (String d : List.of("root", "run", "tmp", "vol", "net")) {
            ShortTempDir.deleteTree(dir.resolve(d));
        }
        try {
            Files.deleteIfExists(dir.resolve("containers.conf"));
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "Podman[" + apiUrl() + "]";
    }
}
