package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertClose;

import dev.kora4j.Tolerance;
import dev.kora4j.autograd.GradCheck;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused KoRA op against its unfused composition of primitive ops, and against finite differences. */
class KoraOpTest {
    /** x [2, n, D], y [2, n, 3D] and the 11 weights, all random (non-zero B and gate). */
    private static Tensor[] inputs(int n, int d, int r, int dc, double gate, DType dtype, Device device) {
        Rng rng = new Rng(n * 31L + d);
        int[][] shapes = {{2, n, d}, {2, n, 3 * d}, {r, d}, {r, d}, {r, d}, {d, r}, {d, r}, {d, r}, {dc, 3 * d}, {dc}, {d, dc}, {d}, {1}};
        Tensor[] in = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = Tensor.uniform(rng, -1, 1, shapes[i]).to(dtype).to(device).detach().requiresGrad(true);
        }
        in[12] = Tensor.full(gate, dtype, device, 1).requiresGrad(true);
        return in;
    }

    private static KoraWeights weights(Tensor[] in) {
        return new KoraWeights(in[2], in[3], in[4], in[5], in[6], in[7], in[8], in[9], in[10], in[11], in[12]);
    }

    /** Fused on a fresh y (it writes into y) against unfused, forward and every gradient. */
    @ParameterizedTest(name = "{0} tokens, D={1}, r={2}, d_comp={3}, gate={4}, {5}")
    @CsvSource({"5,12,2,3,0.7,CPU", "5,12,2,3,0.7,REFERENCE", "300,40,4,4,-1.3,CPU", "7,20,3,4,0,CPU", "600,17,1,2,0.4,CPU", "520,48,8,4,0.9,CPU"})
    void fusedMatchesUnfused(int n, int d, int r, int dc, double gate, Device device) {
        Tensor[] a = inputs(n, d, r, dc, gate, DType.F32, device), b = inputs(n, d, r, dc, gate, DType.F32, device);
        Tensor fused = KoraOp.fused(a[0], a[1].mul(1.0), weights(a), 0.5);
        Tensor unfused = KoraOp.unfused(b[0], b[1], weights(b), 0.5);
        assertClose("forward", unfused, fused, Tolerance.CHAINS);
        Tensor cotangent = Tensor.uniform(new Rng(8), -1, 1, fused.shape()).to(device);
        fused.backward(cotangent);
        unfused.backward(cotangent);
        for (int i = 0; i < a.length; i++) {
            assertClose("gradient of input " + i, b[i].grad(), a[i].grad(), Tolerance.CHAINS);
        }
    }

    /**
     * On tokens already as rows [N, D] an expanded gradient (stride 0 everywhere) reaches the op as
     * it is, with no unit column stride, which the token kernel needs.
     */
    @ParameterizedTest(name = "gate {0}")
    @CsvSource({"0.6", "0"})
    void fusedBackwardOfAnExpandedGradientMatchesUnfused(double gate) {
        Tensor[] a = inputs(9, 12, 2, 3, gate, DType.F32, Device.CPU), b = inputs(9, 12, 2, 3, gate, DType.F32, Device.CPU);
        Tensor fused = KoraOp.fused(a[0].reshape(18, 12), a[1].mul(1.0).reshape(18, 36), weights(a), 0.5);
        Tensor expanded = Tensor.full(0.75, DType.F32, Device.CPU, 1, 1).expand(fused.shape());
        fused.backward(expanded);
        KoraOp.unfused(b[0].reshape(18, 12), b[1].reshape(18, 36), weights(b), 0.5).backward(expanded);
        for (int i = 0; i < a.length; i++) {
            assertClose("gradient of input " + i, b[i].grad(), a[i].grad(), Tolerance.CHAINS);
        }
    }

    /**
     * On the reference backend, which has no KoRA kernel, fused runs the composition: this checks
     * the oracle that fusedMatchesUnfused holds the cpu kernel's forward and backward to.
     */
    @ParameterizedTest(name = "gate {0}")
    @CsvSource({"0.8", "0"})
    void fusedBackwardMatchesFiniteDifferences(double gate) {
        Tensor[] in = inputs(3, 6, 2, 3, gate, DType.F64, Device.REFERENCE);
        // y enters through mul(1): the op writes into its y input, which must not be a leaf being perturbed
        GradCheck.check("kora fused", t -> KoraOp.fused(t[0], t[1].mul(1.0), weights(t), 0.7), in);
    }
}
