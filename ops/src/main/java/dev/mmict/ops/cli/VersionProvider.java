package dev.mmict.ops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * Supplies {@code mmict --version}: the project version Maven wrote into
 * {@code dev/mmict/ops/version.properties} (falling back to the jar manifest), and the JVM.
 */
public final class VersionProvider implements IVersionProvider {

    private static final String RESOURCE = "/dev/mmict/ops/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "mmict " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }

    /** The project version, or "unknown" when run from unfiltered sources. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.contains("${")) {
                    return version;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : "unknown";
    }
}
