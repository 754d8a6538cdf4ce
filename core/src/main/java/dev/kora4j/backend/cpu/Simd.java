package dev.kora4j.backend.cpu;

import java.lang.management.ManagementFactory;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether the Vector API runs as SIMD here. Without the C2 compiler (interpreter only, C1 only, or
 * vector intrinsics switched off) every vector op is a slow Java loop, so the kernels use their
 * scalar paths instead, and one log line says so. {@code -Dkora.simd=false} forces the scalar paths.
 */
public final class Simd {
    /** The widest float species the CPU offers (16 lanes with AVX-512, 8 with AVX2). */
    public static final VectorSpecies<Float> F32 = FloatVector.SPECIES_PREFERRED;
    public static final int LANES = F32.length();
    public static final boolean ENABLED;

    static {
        String reason = disabledReason();
        ENABLED = reason == null;
        if (!ENABLED) {
            System.getLogger("dev.kora4j").log(System.Logger.Level.WARNING,
                    "kora4j: the Vector API is not compiled to SIMD here (" + reason + "); using scalar kernels");
        }
    }

    private Simd() {}

    /** Number of elements of n that the vector loop covers (the rest is the scalar tail). */
    public static int loopBound(int n) {
        return ENABLED ? F32.loopBound(n) : 0;
    }

    private static String disabledReason() {
        if ("false".equalsIgnoreCase(System.getProperty("kora.simd"))) {
            return "kora.simd=false";
        }
        if (F32.vectorBitSize() < 128) {
            return "the preferred vector is only " + F32.vectorBitSize() + " bits";
        }
        String vmInfo = String.valueOf(System.getProperty("java.vm.info"));
        if (vmInfo.contains("interpreted mode")) {
            return "the JVM runs in interpreted mode";
        }
        if (ManagementFactory.getCompilationMXBean() == null) {
            return "the JVM has no JIT compiler";
        }
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String arg : args) {
            if (arg.equals("-Xint") || arg.equals("-XX:-EnableVectorSupport") || arg.equals("-XX:-UseCompiler")
                    || arg.matches("-XX:TieredStopAtLevel=[0-3]")) {
                return "the JVM was started with " + arg;
            }
        }
        return null;
    }
}
