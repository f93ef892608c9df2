package dev.ovs.fileguard.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Stands in front of every other fileinstall {@link ArtifactInstaller} (above all fileinstall's own
 * configuration installer, which turns {@code etc/*.cfg} into ConfigAdmin configurations): registered with
 * the highest service ranking, it is the installer fileinstall picks for every file another installer can
 * handle, and it passes a file on only when {@link TrustRule} accepts it and its directory.
 * <ul>
 * <li>install or change of an untrusted file: nothing is applied (the last accepted content of a changed
 * file stays in effect) and a warning names the path and mode. Changing the mode alone is not a change
 * fileinstall notices: after fixing it, touch the file.</li>
 * <li>removal of a file from a directory that is itself untrusted: ignored with a warning.</li>
 * </ul>
 * Delegates are the other {@code ArtifactInstaller} services (those without the {@value #MARKER} property),
 * highest ranking first, as fileinstall orders them.
 */
@Component(service = ArtifactInstaller.class, property = {
    Constants.SERVICE_RANKING + ":Integer=" + TrustedInstallers.RANKING, TrustedInstallers.MARKER + "=installers"})
public final class TrustedInstallers implements ArtifactInstaller {
    /** Service property that marks the guard's own services (never delegates). */
    static final String MARKER = "dev.ovs.fileguard";
    /** Above every handler a bundle would register with an ordinary ranking. */
    static final int RANKING = 1_000_000;

    /** Replaced as a whole (never empty in between while an installer stays bound). */
    private volatile List<Delegate> delegates = List.of();
    private volatile TrustRule rule;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC)
    private volatile Logger logger;

    /** For Declarative Services; the rule is set in {@link #activate()}. */
    public TrustedInstallers() {
    }

    /**
     * Without a framework (tests).
     *
     * @param rule the trust rule
     */
    TrustedInstallers(TrustRule rule) {
        this.rule = rule;
    }

    /**
     * Takes the rule for this process (its uid).
     *
     * @throws IOException if {@code /proc/self} cannot be read
     */
    @Activate
    void activate() throws IOException {
        rule = TrustRule.forThisProcess();
    }

    /**
     * Binds another installer.
     *
     * @param installer the installer
     * @param properties its service properties ({@code service.ranking}, {@code service.id})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(!(" + MARKER + "=*))")
    synchronized void addDelegate(ArtifactInstaller installer, Map<String, Object> properties) {
        List<Delegate> next = new ArrayList<>(delegates);
        next.add(new Delegate(installer, ranking(properties), id(properties)));
        // fileinstall's order: highest ranking first, then the older service (lower id)
        next.sort(Comparator.comparingInt(Delegate::ranking).reversed().thenComparingLong(Delegate::id));
        delegates = List.copyOf(next);
    }

    /**
     * Unbinds an installer.
     *
     * @param installer the installer
     */
    synchronized void removeDelegate(ArtifactInstaller installer) {
        delegates = delegates.stream().filter(d -> d.installer() != installer).toList();
    }

    /** @return whether another installer handles {@code artifact} (then this one is fileinstall's pick) */
    @Override
    public boolean canHandle(File artifact) {
        return delegateFor(artifact).isPresent();
    }

    /**
     * Passes a new file on when trusted.
     *
     * @throws IllegalStateException if no other installer handles the file any more (fileinstall logs it and
     *         retries when the file changes)
     * @throws Exception what the delegate throws
     */
    @Override
    public void install(File artifact) throws Exception {
        ArtifactInstaller delegate = requireDelegate(artifact);
        if (trusted(artifact, "not applied")) {
            delegate.install(artifact);
        }
    }

    /**
     * Passes a change on when trusted.
     *
     * @throws IllegalStateException if no other installer handles the file any more
     * @throws Exception what the delegate throws
     */
    @Override
    public void update(File artifact) throws Exception {
        ArtifactInstaller delegate = requireDelegate(artifact);
        if (trusted(artifact, "change not applied, the last accepted content stays in effect")) {
            delegate.update(artifact);
        }
    }

    /**
     * Passes a removal on unless the directory is untrusted.
     *
     * @throws Exception what the delegate throws
     */
    @Override
    public void uninstall(File artifact) throws Exception {
        Optional<ArtifactInstaller> delegate = delegateFor(artifact);
        Path dir = artifact.toPath().toAbsolutePath().getParent();
        Optional<String> problem = dir == null ? Optional.empty() : rule.checkPath(dir);
        if (problem.isPresent()) {
            Warnings.warn(logger, problem.get() + ": removal of " + artifact + " ignored (docs/security.md)");
        } else if (delegate.isPresent()) {
            delegate.get().uninstall(artifact);
        }
    }

    private boolean trusted(File artifact, String consequence) {
        Optional<String> problem = rule.check(artifact.toPath());
        problem.ifPresent(p -> Warnings.warn(logger, p + ": ignored, " + consequence
                + " (fix it, then touch the file; docs/security.md)"));
        return problem.isEmpty();
    }

    private ArtifactInstaller requireDelegate(File artifact) {
        return delegateFor(artifact).orElseThrow(() -> new IllegalStateException("no installer for " + artifact
                + " is registered (fileinstall's configuration installer needs ConfigAdmin)"));
    }

    private Optional<ArtifactInstaller> delegateFor(File artifact) {
        for (Delegate d : delegates) {
            if (d.installer().canHandle(artifact)) {
                return Optional.of(d.installer());
            }
        }
        return Optional.empty();
    }

    private static int ranking(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
    }

    private static long id(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_ID) instanceof Long id ? id : Long.MAX_VALUE;
    }

    private record Delegate(ArtifactInstaller installer, int ranking, long id) {
    }
}
