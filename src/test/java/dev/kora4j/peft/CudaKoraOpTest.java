package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.Tolerance;
import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused KoRA op on cuda against the unfused composition of primitive ops (on cuda and on the reference backend). */
@Tag("gpu")
class CudaKoraOpTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    private static Tensor[] inputs(int n, int d, int r, int dc, double gate, Device device) {
        Rng rng = new Rng(n * 31L + d);
        int[][] shapes = {{2, n, d}, {2, n, 3 * d}, {r, d}, {r, d}, {r, d}, {d, r}, {d, r}, {d, r}, {dc, 3 * d}, {dc}, {d, dc}, {d}, {1}};
        Tensor[] in = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = Tensor.uniform(rng, -1, 1, shapes[i]).to(device).detach().requiresGrad(true);
        }
        in[12] = Tensor.full(gate, dev.kora4j.tensor.DType.F32, device, 1).requiresGrad(true);
        return in;
    }

    private static KoraWeights weights(Tensor[] in) {
        return new KoraWeights(in[2], in[3], in[4], in[5], in[6], in[7], in[8], in[9], in[10], in[11], in[12]);
    }

    @ParameterizedTest(name = "{0} tokens, D={1}, r={2}, d_comp={3}, gate={4}, unfused on {5}")
    @CsvSource({"65,64,8,4,0.7,CUDA", "197,96,8,4,-1.3,CUDA", "7,20,3,4,0,CUDA", "65,48,4,4,0.4,REFERENCE"})
    void fusedMatchesUnfused(int n, int d, int r, int dc, double gate, Device oracle) {
        Tensor[] a = inputs(n, d, r, dc, gate, Device.CUDA), b = inputs(n, d, r, dc, gate, oracle);
        Tensor fused = KoraOp.fused(a[0], a[1].mul(1.0), weights(a), 0.5);
        Tensor unfused = KoraOp.unfused(b[0], b[1], weights(b), 0.5);
        assertClose("forward", unfused, fused, Tolerance.CHAINS);
        Tensor cotangent = Tensor.uniform(new Rng(8), -1, 1, fused.shape());
        fused.backward(cotangent.to(Device.CUDA));
        unfused.backward(cotangent.to(oracle));
        for (int i = 0; i < a.length; i++) {
            assertClose("gradient of input " + i, b[i].grad(), a[i].grad(), Tolerance.CHAINS);
        }
    }

    /** The fused op's forward and backward never wait for a copy to the host (the gate is read, dg written, on the device). */
    @org.junit.jupiter.api.Test
    void theFusedOpCopiesNothingToTheHost() {
        Tensor[] a = inputs(65, 64, 8, 4, 0.7, Device.CUDA);
        Tensor cotangent = Tensor.uniform(new Rng(8), -1, 1, 2, 65, 3 * 64).to(Device.CUDA);
        var cuda = dev.kora4j.backend.cuda.CudaBackend.get();
        long before = cuda.hostCopies();
        KoraOp.fused(a[0], a[1].mul(1.0), weights(a), 0.5).backward(cotangent);
        assertEquals(before, cuda.hostCopies(), "copies to the host during the fused op's forward and backward");
        assertTrue(a[12].grad() != null && a[12].grad().device() == Device.CUDA, "the gate's gradient is on the device");
    }

    /**
     * What the fused op launches of the project's kernels (cuBLAS's products u = x·Âᵀ, dx and dÂ are
     * not counted). Forward: Â's three parts copied into one, M in one pass, the per-token pass.
     * Backward: the per-token pass, its sums over chunks, every gradient through M in one pass, and
     * the autograd engine's copy of each of the 13 leaves' first gradient.
     */
    @org.junit.jupiter.api.Test
    void theFusedOpLaunchesOneKernelPerPass() {
        Tensor[] a = inputs(197, 64, 8, 4, 0.7, Device.CUDA);
        Tensor y = a[1].mul(1.0);
        Tensor cotangent = Tensor.uniform(new Rng(8), -1, 1, 2, 197, 3 * 64).to(Device.CUDA);
        var cuda = dev.kora4j.backend.cuda.CudaBackend.get();
        var before = cuda.launches();
        Tensor out = KoraOp.fused(a[0], y, weights(a), 0.5);
        var afterForward = cuda.launches();
        out.backward(cotangent);
        var afterBackward = cuda.launches();
        assertEquals(java.util.Map.of("copy_strided", 3L, "kora_compose", 1L, "kora_forward", 1L), since(before, afterForward), "forward");
        assertEquals(java.util.Map.of("kora_backward", 1L, "sum_partials", 1L, "kora_compose_backward", 1L, "copy_strided", 13L),
                since(afterForward, afterBackward), "backward");
    }

    private static java.util.Map<String, Long> since(java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        after.forEach((k, n) -> {
            long d = n - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}
