package dev.ovs.itests.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Process-wide record of what the harness created (daemons, namespaces, temp dirs), for
 * {@link Leftovers} and for the last-resort shutdown hook. Not public.
 */
final class Registry {
    private static final Set<Daemon> DAEMONS = new LinkedHashSet<>();
    private static final Set<String> NAMESPACES = new LinkedHashSet<>();
    private static final Set<String> ALL_NAMESPACES = new LinkedHashSet<>();
    private static final Set<Path> DIRS = new LinkedHashSet<>();
    private static final Set<Path> ALL_DIRS = new LinkedHashSet<>();
    private static final Set<AutoCloseable> RESOURCES = new LinkedHashSet<>();
    private static boolean hooked;

    private Registry() {
    }

    static synchronized void hook() {
        if (hooked) {
            return;
        }
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(Registry::emergencyCleanup, "pbt-harness-cleanup"));
    }

    static synchronized void add(Daemon d) {
        hook();
        DAEMONS.add(d);
    }

    static synchronized void remove(Daemon d) {
        DAEMONS.remove(d);
    }

    static synchronized List<Daemon> daemons() {
        return new ArrayList<>(DAEMONS);
    }

    static synchronized void addNamespace(String name) {
        hook();
        NAMESPACES.add(name);
        ALL_NAMESPACES.add(name);
    }

    static synchronized void removeNamespace(String name) {
        NAMESPACES.remove(name);
    }

    /** @return every namespace name ever created by this JVM's harness */
    static synchronized Set<String> allNamespaces() {
        return new LinkedHashSet<>(ALL_NAMESPACES);
    }

    static synchronized List<String> namespaces() {
        return new ArrayList<>(NAMESPACES);
    }

    static synchronized void addDir(Path dir) {
        hook();
        DIRS.add(dir);
        ALL_DIRS.add(dir);
    }

    /** @return every ShortTempDir ever created by this JVM */
    static synchronized Set<Path> allDirs() {
        return new LinkedHashSet<>(ALL_DIRS);
    }

    static synchronized void removeDir(Path dir) {
        DIRS.remove(dir);
    }

    static synchronized List<Path> dirs() {
        return new ArrayList<>(DIRS);
    }

    /** Registers something the shutdown hook closes before the daemons (e.g. a {@link SystemdContainer}). */
    static synchronized void addResource(AutoCloseable r) {
        hook();
        RESOURCES.add(r);
    }

    static synchronized void removeResource(AutoCloseable r) {
        RESOURCES.remove(r);
    }

    static synchronized List<AutoCloseable> resources() {
        return new ArrayList<>(RESOURCES);
    }

    /** Shutdown hook: close every registered resource, stop every tracked daemon (by PID), delete namespaces. Best effort. */
    private static void emergencyCleanup() {
        List<AutoCloseable> rs = resources();
        for (int i = rs.size() - 1; i >= 0; i--) {
            try {
                rs.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
        List<Daemon> ds = daemons();
        for (int i = ds.size() - 1; i >= 0; i--) {
            try {
                ds.get(i).close();
            } catch (RuntimeException e) {
                // best effort
            }
        }
        for (String ns : namespaces()) {
            try {
                new ProcessBuilder("ip", "netns", "delete", ns).inheritIO().start().waitFor();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
