package dev.ovs.fileguard.internal;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.felix.fileinstall.ArtifactUrlTransformer;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Takes the place of fileinstall's built-in bundle handler for bundles dropped into a watched directory
 * ({@code deploy/}): registered with a high service ranking, it is asked before the built-in one, handles the
 * same files (a jar whose manifest has {@code Bundle-SymbolicName}) and hands fileinstall the file's own URL
 * (so fileinstall installs, updates, starts and refreshes the bundle exactly as it does by itself) only when
 * {@link TrustRule} accepts the file and its directory. For an untrusted file it answers no URL and logs a
 * warning naming path and mode: fileinstall then treats the file as absent (not installed; a bundle
 * installed earlier from that path is uninstalled). After fixing the mode, touch the file.
 * A directory fileinstall packs into a jar is not a plain file and is never accepted.
 */
@Component(service = ArtifactUrlTransformer.class, property = {
    Constants.SERVICE_RANKING + ":Integer=" + TrustedBundles.RANKING, TrustedInstallers.MARKER + "=bundles"})
public final class TrustedBundles implements ArtifactUrlTransformer {
    /** Just below {@link TrustedInstallers}: installers are asked first, as in fileinstall. */
    static final int RANKING = TrustedInstallers.RANKING - 1;

    private volatile TrustRule rule;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC)
    private volatile Logger logger;

    /** For Declarative Services; the rule is set in {@link #activate()}. */
    public TrustedBundles() {
    }

    /**
     * Without a framework (tests).
     *
     * @param rule the trust rule
     */
    TrustedBundles(TrustRule rule) {
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

    /** @return whether {@code artifact} is a bundle: a readable jar whose manifest names a Bundle-SymbolicName */
    @Override
    public boolean canHandle(File artifact) {
        String name = artifact.getName();
        if (!artifact.isFile() || !artifact.canRead() || name.endsWith(".cfg") || name.endsWith(".config")
                || name.endsWith(".txt") || name.endsWith(".xml") || name.endsWith(".properties")) {
            return false;
        }
        try (JarFile jar = new JarFile(artifact)) {
            Manifest m = jar.getManifest();
            return m != null && m.getMainAttributes().getValue(new Attributes.Name("Bundle-SymbolicName")) != null;
        } catch (IOException | SecurityException notAJar) {
            return false;
        }
    }

    /**
     * @param artifact the file's URL as fileinstall passes it ({@code file:} for a plain file)
     * @return {@code artifact} itself when trusted; {@code null} (fileinstall: not installed, or uninstalled)
     *         otherwise
     * @throws Exception never for a {@code file:} URL
     */
    @Override
    public URL transform(URL artifact) throws Exception {
        if (!"file".equals(artifact.getProtocol())) {
            Warnings.warn(logger, artifact + " is not a plain file (a directory packed by fileinstall): ignored"
                    + " (docs/security.md)");
            return null;
        }
        Path file = Path.of(artifact.toURI());
        Optional<String> problem = rule.check(file);
        if (problem.isPresent()) {
            Warnings.warn(logger, problem.get() + ": ignored, treated as absent (a bundle installed from it is"
                    + " uninstalled; fix it, then touch the file; docs/security.md)");
            return null;
        }
        return artifact;
    }
}
