package dev.kora4j.backend.cuda;

/**
 * Whether JCuda's classes are on this runtime at all. The engine's module reads JCuda statically,
 * so an image made by jlink (or a class path) may lack it; the cuda classes would then fail with a
 * NoClassDefFoundError as they link. This class names no JCuda type, so it can ask first.
 */
public final class JCudaCheck {
    /** What is missing, or null when JCuda is there; looked up once (every cuda op passes here). */
    private static final String MISSING = missing();

    private JCudaCheck() {}

    private static String missing() {
        try {
            Class.forName("jcuda.driver.JCudaDriver", false, JCudaCheck.class.getClassLoader());
            Class.forName("jcuda.jcublas.JCublas2", false, JCudaCheck.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return e.getMessage();
        }
    }

    /** Throws {@link CudaUnavailableException} saying what is missing when JCuda cannot be loaded. */
    public static void requirePresent() {
        if (MISSING != null) {
            throw new CudaUnavailableException("cuda: JCuda is not on this runtime's class or module path (" + MISSING
                    + "); the cuda device needs org.jcuda:jcuda and org.jcuda:jcublas with their natives");
        }
    }
}
