package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertCloseScaled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertCloseScaled("forward", unfused, fused, 1e-5);
        Tensor cotangent = Tensor.uniform(new Rng(8), -1, 1, fused.shape());
        fused.backward(cotangent.to(Device.CUDA));
        unfused.backward(cotangent.to(oracle));
        for (int i = 0; i < a.length; i++) {
            assertCloseScaled("gradient of input " + i, b[i].grad(), a[i].grad(), 1e-4);
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
}
