package dev.kora4j.backend.cuda;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The CUDA driver stand-in (kernels/emu): with {@code KORA_CUDA_EMULATOR=1} in the environment, its
 * {@code libcuda.so.1} and {@code libcublas.so.12} are loaded before JCuda's bindings, which then
 * bind to them (a library already loaded under a soname satisfies every later need of that name).
 * The backend runs unchanged, its kernels executed on the CPU. Only when asked: without the
 * variable a real driver is used, or none.
 *
 * <p>The libraries are looked for in {@code kora.cuda.emulator.dir} (system property), else in
 * {@code cuda-emulator/} beside the folder or jar this class came from ({@code core/target/}, where
 * the build puts them; the test suites and {@code bin/kora} name that folder).
 */
final class CudaStandIn {
    private CudaStandIn() {}

    static boolean requested() {
        return "1".equals(System.getenv("KORA_CUDA_EMULATOR"));
    }

    /** Loads the stand-in's libraries; throws {@link CudaUnavailableException} naming the folder when they are not there. */
    static void load() {
        Path dir = directory();
        for (String library : new String[] {"libcuda.so.1", "libcublas.so.12"}) {
            Path file = dir.resolve(library);
            if (!Files.isRegularFile(file)) {
                throw new CudaUnavailableException("cuda: KORA_CUDA_EMULATOR=1 asks for the CUDA stand-in, but " + file
                        + " is missing (it is built with kora4j where g++ and nvcc are on the PATH)");
            }
            try {
                System.load(file.toAbsolutePath().toString());
            } catch (UnsatisfiedLinkError e) {
                throw new CudaUnavailableException("cuda: the CUDA stand-in " + file + " could not be loaded: " + e.getMessage(), e);
            }
        }
    }

    private static Path directory() {
        String configured = System.getProperty("kora.cuda.emulator.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        CodeSource source = CudaStandIn.class.getProtectionDomain().getCodeSource();
        try {
            if (source != null) {
                return Path.of(source.getLocation().toURI()).toAbsolutePath().getParent().resolve("cuda-emulator");
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file on this machine: fall through
        }
        return Path.of("target", "cuda-emulator");
    }
}
