package dev.ovs.itests.framework;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Helpers for in-framework tests: bundle lookup and update, configuration, waiting, and the JVM's
 * thread and file-descriptor counts for leak checks after hot swaps.
 */
public final class Frameworks {
    private Frameworks() {
    }

    /**
     * @param context any bundle context
     * @param bsn a bundle symbolic name
     * @return the installed bundle
     * @throws AssertionError if none is installed
     */
    public static Bundle bundle(BundleContext context, String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + bsn + " is not installed");
    }

    /**
     * Updates a bundle from its own location (a hot swap: stop, re-read, resolve, start) and refreshes it.
     *
     * @param bundle the bundle
     * @throws BundleException if the framework refuses
     */
    public static void update(Bundle bundle) throws BundleException {
        bundle.update();
    }

    /**
     * Creates or replaces a configuration (delivery is asynchronous: wait for its effect).
     *
     * @param context any bundle context with ConfigurationAdmin available
     * @param pid the configuration PID
     * @param props its properties
     * @throws IOException if ConfigurationAdmin fails
     */
    public static void configure(BundleContext context, String pid, Dictionary<String, Object> props)
            throws IOException {
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> t = new ServiceTracker<>(context,
                ConfigurationAdmin.class, null);
        t.open();
        try {
            ConfigurationAdmin ca = t.waitForService(10_000);
            if (ca == null) {
                throw new AssertionError("no ConfigurationAdmin");
            }
            Configuration c = ca.getConfiguration(pid, "?");
            c.update(props);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            t.close();
        }
    }

    /**
     * Waits for a service.
     *
     * @param <S> service type
     * @param context the context
     * @param type the service interface
     * @param timeout how long
     * @return the service
     * @throws AssertionError if it does not appear in time
     */
    public static <S> S await(BundleContext context, Class<S> type, Duration timeout) {
        ServiceTracker<S, S> t = new ServiceTracker<>(context, type, null);
        t.open();
        try {
            S s = t.waitForService(timeout.toMillis());
            if (s == null) {
                throw new AssertionError("no " + type.getName() + " within " + timeout);
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            t.close();
        }
    }

    /**
     * Polls a condition every 20 ms.
     *
     * @param what description for the failure message
     * @param timeout how long
     * @param condition the condition
     * @throws AssertionError if it does not hold in time
     */
    public static void eventually(String what, Duration timeout, BooleanSupplier condition) {
        eventually(() -> what, timeout, condition);
    }

    /**
     * Polls a condition every 20 ms.
     *
     * @param what description for the failure message, computed when it fails (e.g. with the last error seen)
     * @param timeout how long
     * @param condition the condition
     * @throws AssertionError if it does not hold in time
     */
    public static void eventually(java.util.function.Supplier<String> what, Duration timeout,
            BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** @return live threads of this JVM */
    public static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** @return what the open file descriptors of this process point to ({@code /proc/self/fd/*} link targets) */
    public static java.util.List<String> fdTargets() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "?";
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return open file descriptors of this process ({@code /proc/self/fd}) */
    public static int fds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
