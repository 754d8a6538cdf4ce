package dev.kora4j.backend.cuda;

/**
 * Whether JCuda's classes are on this runtime at all. The engine's module reads JCuda statically,
 * so an image made by jlink (or a class path) may lack it; the cuda classes would then fail with a
 * NoClassDefFoundError as they link. This class names no JCuda type, so it can ask first.
 */
public final class JCudaCheck {
    private JCudaCheck() {}

    /** Throws {@link CudaUnavailableException} saying what is missing when JCuda cannot be loaded. */
    public static void requirePresent() {
        try {
            Class.forName("jcuda.driver.JCudaDriver", false, JCudaCheck.class.getClassLoader());
            Class.forName("jcuda.jcublas.JCublas2", false, JCudaCheck.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new CudaUnavailableException("cuda: JCuda is not on this runtime's class or module path (" + e.getMessage()
                    + "); the cuda device needs org.jcuda:jcuda and org.jcuda:jcublas with their natives", e);
        }
    }
}
