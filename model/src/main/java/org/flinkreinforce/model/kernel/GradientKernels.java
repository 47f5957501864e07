package org.flinkreinforce.model.kernel;

import java.util.ArrayList;
import java.util.List;
import org.flinkreinforce.model.util.SettingNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and creates {@link GradientKernel}s. The choice is made once per JVM and logged with the
 * reason for every kernel passed over; {@link #resolve} tells callers (and metrics) which kernel a
 * choice means here.
 */
public final class GradientKernels {

    private static final Logger LOG = LoggerFactory.getLogger(GradientKernels.class);

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static volatile Resolution autoResolution;

    private GradientKernels() {}

    /**
     * What a choice resolves to on this JVM: the kernel name and, for {@code auto}, why faster
     * kernels were passed over.
     */
    public record Resolution(String kernel, List<String> passedOver) {}

    /** A new kernel instance for {@code choice}. */
    public static GradientKernel create(KernelChoice choice) {
        switch (choice) {
            case AUTO:
                return create(
                        SettingNames.parse(
                                KernelChoice.class, resolve(KernelChoice.AUTO).kernel(), "kernel"));
            case NATIVE:
                return new NativeKernel();
            case VECTOR:
                return createVector();
            case EJML:
                return new EjmlKernel();
            default:
                throw new IllegalStateException("Unknown kernel choice " + choice);
        }
    }

    /**
     * The kernel {@code choice} means here.
     *
     * @throws UnsupportedOperationException if {@code native} or {@code vector} was asked for and
     *     cannot be used, with the reason
     */
    public static Resolution resolve(KernelChoice choice) {
        switch (choice) {
            case NATIVE:
                NativeKernel.maxIsa();
                return new Resolution(NativeKernel.NAME, List.of());
            case VECTOR:
                String reason = vectorUnavailableReason();
                if (reason != null) {
                    throw new UnsupportedOperationException(
                            "The vector kernel is not available: " + reason);
                }
                return new Resolution(VectorKernel.NAME, List.of());
            case EJML:
                return new Resolution(EjmlKernel.NAME, List.of());
            case AUTO:
                Resolution resolution = autoResolution;
                if (resolution == null) {
                    resolution = resolveAuto();
                    autoResolution = resolution;
                }
                return resolution;
            default:
                throw new IllegalStateException("Unknown kernel choice " + choice);
        }
    }

    /** Whether the vector kernel can be used here. */
    public static boolean vectorAvailable() {
        return vectorUnavailableReason() == null;
    }

    /** Whether the native kernel can be used here. */
    public static boolean nativeAvailable() {
        try {
            NativeKernel.maxIsa();
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    private static synchronized Resolution resolveAuto() {
        if (autoResolution != null) {
            return autoResolution;
        }
        List<String> passedOver = new ArrayList<>();
        String kernel;
        try {
            NativeKernel.Isa isa = NativeKernel.maxIsa();
            kernel = NativeKernel.NAME;
            LOG.info("Gradient kernel: native ({} path).", isa);
        } catch (UnsupportedOperationException e) {
            passedOver.add(e.getMessage());
            String reason = vectorUnavailableReason();
            if (reason == null) {
                kernel = VectorKernel.NAME;
            } else {
                passedOver.add("The vector kernel is not available: " + reason);
                kernel = EjmlKernel.NAME;
            }
            LOG.warn("Gradient kernel: {}. Passed over: {}", kernel, String.join(" ", passedOver));
        }
        return new Resolution(kernel, List.copyOf(passedOver));
    }

    private static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "the JVM was started without --add-modules=" + VECTOR_MODULE + ".";
        }
        try {
            Class.forName("org.flinkreinforce.model.kernel.VectorKernel");
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static GradientKernel createVector() {
        String reason = vectorUnavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException(
                    "The vector kernel is not available: " + reason);
        }
        return new VectorKernel();
    }
}
