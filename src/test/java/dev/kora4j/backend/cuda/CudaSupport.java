package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;

/** For the gpu tests: skip without a device; with one, check every launch and poison every new block. */
public final class CudaSupport {
    private CudaSupport() {}

    /** Skips the calling test unless a cuda device and the kernels are present. */
    public static void assumeCuda() {
        // Read when the context is made: each launch is synchronised (a fault names its kernel) and
        // every block from the allocator starts as NaN (an element a kernel forgets to write shows).
        System.setProperty("kora.cuda.sync", "true");
        System.setProperty("kora.cuda.poison", "true");
        assumeTrue(CudaContext.available(), () -> "no cuda device: " + reason());
    }

    private static String reason() {
        try {
            CudaContext.get();
            return "";
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    /**
     * The class path for a child JVM that runs test classes: this JVM's, and that of the loader the
     * tests came from (JUnit's console launcher, as gpu-check.sh uses it, has one of its own).
     */
    public static String childClassPath() throws Exception {
        java.util.List<String> parts = new java.util.ArrayList<>(java.util.List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        if (CudaSupport.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            for (java.net.URL url : loader.getURLs()) {
                parts.add(java.nio.file.Path.of(url.toURI()).toString());
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** A cuda tensor of the given shape filled with NaN (an output the op must overwrite). */
    public static Tensor poisoned(int... shape) {
        return Tensor.full(Float.NaN, dev.kora4j.tensor.DType.F32, Device.CUDA, shape);
    }
}
