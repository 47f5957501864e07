package org.flinkreinforce.model.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads {@code libreinforce_kernel} once per class loader: from the path in the system property
 * {@value #LIBRARY_PROPERTY} when set, else from the jar's {@code /native/<os>-<arch>/}, extracted
 * to a temporary file. A failure is remembered with its reason and reported on every later attempt,
 * so callers can fall back or fail with a clear message.
 */
public final class NativeLibraryLoader {

    /** A system property naming the library file to load instead of the packaged one. */
    public static final String LIBRARY_PROPERTY = "reinforce.native.library";

    private static final String LIBRARY = "libreinforce_kernel.so";

    private static boolean attempted;
    private static String failure;

    private NativeLibraryLoader() {}

    /**
     * Loads the library if not yet done.
     *
     * @throws UnsupportedOperationException with the reason when it cannot be loaded
     */
    public static synchronized void ensureLoaded() {
        if (!attempted) {
            attempted = true;
            failure = load();
        }
        if (failure != null) {
            throw new UnsupportedOperationException(
                    "The native kernel is not available: " + failure);
        }
    }

    /**
     * The packaged resource for this platform, e.g. {@code
     * /native/linux-x86_64/libreinforce_kernel.so}.
     */
    public static String resourcePath() {
        return "/native/" + platform() + "/" + LIBRARY;
    }

    private static String load() {
        try {
            String override = System.getProperty(LIBRARY_PROPERTY);
            if (override != null && !override.isBlank()) {
                System.load(Path.of(override).toAbsolutePath().toString());
                return null;
            }
            String resource = resourcePath();
            try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return "the jar holds no library for "
                            + platform()
                            + " at "
                            + resource
                            + " (was it built without a C compiler, or with -Dnative.skip?)";
                }
                Path file = Files.createTempFile("reinforce_kernel", ".so");
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                System.load(file.toAbsolutePath().toString());
                return null;
            }
        } catch (IOException | LinkageError | SecurityException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin" : os;
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        String archName =
                arch.equals("amd64") || arch.equals("x86_64")
                        ? "x86_64"
                        : arch.equals("arm64") ? "aarch64" : arch;
        return osName + "-" + archName;
    }
}
