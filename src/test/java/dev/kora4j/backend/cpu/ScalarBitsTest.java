package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's promise that vector and scalar code give the transcendental functions the same bits,
 * checked through the cpu backend's elementwise ops, forward and backward, in two JVMs: the vector
 * run leaves its digest in target/, and the scalar-kernels execution (-Dkora.simd=false) compares.
 */
class ScalarBitsTest {
    static final Path DIGESTS = Path.of("target", "scalar-bits");

    @Test
    void scalarPathsGiveTheVectorPathsBits() throws Exception {
        String digest = digest(results());
        Files.createDirectories(DIGESTS);
        Files.writeString(DIGESTS.resolve(Simd.ENABLED ? "vector" : "scalar"), digest);
        Path vector = DIGESTS.resolve("vector");
        Assumptions.assumeTrue(!Simd.ENABLED && Files.exists(vector), "compared in the scalar-kernels execution, after a vector run");
        assertEquals(Files.readString(vector), digest, "SHA-256 of exp, tanh, GELU and GELU-tanh and their gradients");
    }

    /** Every float32 of [-12, 12] on a fine grid plus random values, through each op and its backward. */
    private static List<Tensor> results() {
        int n = 100_003; // not a multiple of any vector width: the tails run too
        Tensor x = Tensor.uniform(new Rng(5), -12, 12, n).requiresGrad(true);
        Tensor y = x.exp().mul(1e-5).add(x.tanh()).add(x.gelu()).add(x.geluTanh());
        y.backward(Tensor.uniform(new Rng(6), -1, 1, n));
        return List.of(x.exp(), x.tanh(), x.gelu(), x.geluTanh(), x.grad());
    }

    private static String digest(List<Tensor> results) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Tensor t : results) {
            for (float f : t.toFloatArray()) {
                int bits = Float.floatToRawIntBits(f);
                sha.update(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
