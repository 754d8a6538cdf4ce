package dev.kora4j.backend.cuda;

import static dev.kora4j.Asserts.assertClose;
import static dev.kora4j.Asserts.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.Tolerance;
import dev.kora4j.backend.Backend;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.backend.cpu.AdamWKernel;
import dev.kora4j.backend.cpu.CpuBackend;
import dev.kora4j.backend.reference.ReferenceBackend;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each Backend primitive on cuda against the reference backend, and each fused kernel against the
 * cpu backend's, called directly with fresh random
 * inputs and outputs that start as NaN, on odd sizes and the ViT sizes (65 and 197 tokens).
 */
@Tag("gpu")
class CudaBackendTest {
    private final Backend ref = new ReferenceBackend();
    /**
     * The fused kernels' oracle: the reference backend has none (on it each op runs its composition
     * of primitives), so each cuda kernel is compared with the cpu one, which OpParityTest holds to
     * those compositions. Both read the reference tensors' float arrays.
     */
    private final CpuBackend cpuKernels = new CpuBackend();
    private CudaBackend cuda;
    private Rng rng;

    @BeforeEach
    void setUp() {
        CudaSupport.assumeCuda();
        cuda = CudaBackend.get();
        long seed = System.nanoTime(); // fresh inputs each run; the seed is printed to repeat a failure
        System.out.println("CudaBackendTest seed " + seed);
        rng = new Rng(seed);
    }

    /** The same random values on the reference device and on cuda: {ref, cuda}. */
    private Tensor[] random(double lo, double hi, int... shape) {
        Tensor host = Tensor.uniform(rng, lo, hi, shape);
        return new Tensor[] {host.to(Device.REFERENCE).detach(), host.to(Device.CUDA).detach()};
    }

    private static Tensor refOut(int... shape) {
        return Tensor.zeros(DType.F32, Device.REFERENCE, shape);
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void mapAndItsBackwardOnATransposedView(UnaryOp op) {
        Tensor[] x = random(op.smoothFrom(), op.smoothTo(), 7, 5), g = random(-1, 1, 5, 7);
        Tensor xr = x[0].t(), xc = x[1].t();
        Tensor yr = refOut(5, 7), yc = CudaSupport.poisoned(5, 7);
        ref.map(op, 1.7, xr, yr);
        cuda.map(op, 1.7, xc, yc);
        assertClose(op + " forward", yr, yc, Tolerance.POINTWISE);
        Tensor dr = refOut(5, 7), dc = CudaSupport.poisoned(5, 7);
        ref.mapBackward(op, 1.7, xr, yr, g[0], dr);
        cuda.mapBackward(op, 1.7, xc, yc, g[1], dc);
        assertClose(op + " backward", dr, dc, Tolerance.POINTWISE);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void zipWithBroadcast(BinaryOp op) {
        Tensor[] a = random(-2, 2, 4, 1, 6), b = random(0.5, 2, 3, 1);
        int[] shape = {4, 3, 6};
        Tensor or = refOut(shape), oc = CudaSupport.poisoned(shape);
        ref.zip(op, a[0].expand(shape), b[0].expand(shape), or);
        cuda.zip(op, a[1].expand(shape), b[1].expand(shape), oc);
        assertClose(op.toString(), or, oc, Tolerance.POINTWISE);
    }

    @Test
    void copyBetweenStridedViews() {
        Tensor[] x = random(-1, 1, 6, 5, 4);
        Tensor dr = refOut(5, 6, 4), dc = CudaSupport.poisoned(5, 6, 4);
        ref.copy(x[0].permute(1, 0, 2), dr);
        cuda.copy(x[1].permute(1, 0, 2), dc);
        assertSameBits("copy", dr, dc);
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "2", "0;1", "0;2", "1;2", "0;1;2"})
    void sumOverDims(String dimList) {
        int[] dims = java.util.Arrays.stream(dimList.split(";")).mapToInt(Integer::parseInt).toArray();
        int[] shape = {37, 65, 19}, outShape = shape.clone();
        for (int d : dims) {
            outShape[d] = 1;
        }
        Tensor[] x = random(-1, 1, shape);
        Tensor or = refOut(outShape), oc = CudaSupport.poisoned(outShape);
        ref.sum(x[0], dims, or);
        cuda.sum(x[1], dims, oc);
        // The slack scales with the sum's typical size, √K for K terms in [-1, 1], not with the result:
        // summing all 45695 terms gives one number, which cancellation can make far smaller than that
        // (a run gave 1.823009 against 1.823085 from the stand-in, beyond a slack scaled by the result).
        int terms = 1;
        for (int d : dims) {
            terms *= shape[d];
        }
        assertClose("sum over " + dimList, or, oc, new Tolerance(Tolerance.SUMS.rtol(), Tolerance.SUMS.atol() * Math.sqrt(terms), false));
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "2"})
    void maxAndArgmax(int dim) {
        int[] shape = {9, 300, 7}, outShape = shape.clone();
        outShape[dim] = 1;
        Tensor[] x = random(-1, 1, shape);
        int[] first = {0, 0, 0}, second = {0, 0, 0};
        second[dim] = 3;
        for (Tensor t : x) { // a tie for output 0: both must answer the first index
            t.set(2.0, first);
            t.set(2.0, second);
        }
        Tensor or = refOut(outShape), oc = CudaSupport.poisoned(outShape);
        int n = or.numel();
        int[] ar = new int[n], ac = new int[n];
        ref.max(x[0], dim, or, ar);
        cuda.max(x[1], dim, oc, ac);
        assertSameBits("max", or, oc);
        assertArrayEquals(ar, ac, "argmax");
    }

    /** Products with transposed operands, odd sizes, batches (one broadcast), and accumulation, through cuBLAS (if loaded) and the kernel. */
    @ParameterizedTest(name = "[{0}x{1}]·[{1}x{2}] batch {3} ta={4} tb={5} acc={6}")
    @CsvSource({"1,1,1,1,false,false,false", "3,5,7,1,false,false,false", "65,64,65,1,false,true,false",
            "197,64,197,6,false,true,false", "197,197,64,6,false,false,true", "130,768,96,1,true,false,false",
            "64,129,200,1,true,true,true", "8,300,33,3,false,false,false"})
    void matmul(int m, int k, int n, int batch, boolean ta, boolean tb, boolean acc) {
        Tensor[] a = ta ? random(-1, 1, batch, k, m) : random(-1, 1, batch, m, k);
        Tensor[] b = tb ? random(-1, 1, n, k) : random(-1, 1, k, n); // b broadcast over the batch
        Tensor[] c0 = random(-1, 1, batch, m, n);
        Tensor ar = ta ? a[0].transpose(1, 2) : a[0], ac = ta ? a[1].transpose(1, 2) : a[1];
        int[] bShape = {batch, k, n};
        Tensor br = (tb ? b[0].t() : b[0]).unsqueeze(0).expand(bShape), bc = (tb ? b[1].t() : b[1]).unsqueeze(0).expand(bShape);
        Tensor cr = acc ? c0[0] : refOut(batch, m, n);
        ref.matmul(ar, br, cr, acc);
        System.setProperty("kora.cuda.gemm", "kernel");
        CudaGemm kernel = new CudaGemm(cuda.context);
        System.clearProperty("kora.cuda.gemm");
        for (CudaGemm gemm : new CudaGemm[] {new CudaGemm(cuda.context), kernel}) {
            Tensor cc = CudaSupport.poisoned(batch, m, n);
            if (acc) {
                cuda.copy(c0[1], cc); // c0[0] already holds the reference's sum
            }
            gemm.multiply(ac, bc, cc, acc);
            assertClose(gemm.description(), cr, cc, Tolerance.SUMS);
        }
    }

    /** Every combination of the epilogue's parts, applied in one pass after the products on cuda. */
    @ParameterizedTest(name = "low rank {0}, bias {1}, GELU {2}, residual {3}")
    @CsvSource({"false,false,false,false", "true,false,false,false", "false,true,false,false", "false,false,true,false",
            "false,false,false,true", "true,true,true,true", "true,true,false,true", "false,true,true,false"})
    void linearWithItsEpilogue(boolean lowRank, boolean bias, boolean gelu, boolean residual) {
        int m = 130, k = 96, n = 72, r = 4;
        Tensor[] a = random(-1, 1, m, k), b = random(-1, 1, k, n), u = random(-1, 1, m, r), v = random(-1, 1, r, n),
                bs = random(-1, 1, n), res = random(-1, 1, m, n);
        Tensor[][] outs = new Tensor[2][];
        Backend[] backends = {ref, cuda};
        for (int i = 0; i < 2; i++) {
            Tensor out = i == 0 ? refOut(m, n) : CudaSupport.poisoned(m, n), pre = gelu ? (i == 0 ? refOut(m, n) : CudaSupport.poisoned(m, n)) : null;
            dev.kora4j.backend.LinearEpilogue e = new dev.kora4j.backend.LinearEpilogue(lowRank ? u[i] : null, lowRank ? v[i] : null,
                    null, null, bias ? bs[i] : null, gelu, pre, residual ? res[i] : null);
            backends[i].linear(a[i], b[i], out, e);
            outs[i] = new Tensor[] {out, pre};
        }
        assertClose("out", outs[0][0], outs[1][0], Tolerance.SUMS);
        if (gelu) {
            assertClose("pre-activation", outs[0][1], outs[1][1], Tolerance.SUMS);
        }
    }

    @ParameterizedTest
    @CsvSource({"7,197,false", "7,197,true", "300,10,false", "3,1000,true", "4,1,false"})
    void softmaxForwardAndBackward(int rows, int cols, boolean log) {
        Tensor[] x = random(-4, 4, rows, cols), g = random(-1, 1, rows, cols);
        Tensor yr = refOut(rows, cols), yc = CudaSupport.poisoned(rows, cols);
        cpuKernels.softmax(x[0], yr, log);
        cuda.softmax(x[1], yc, log);
        assertClose("softmax", yr, yc, Tolerance.SUMS);
        Tensor dr = refOut(rows, cols), dc = CudaSupport.poisoned(rows, cols);
        cpuKernels.softmaxBackward(yr, g[0], dr, log);
        cuda.softmaxBackward(yc, g[1], dc, log);
        assertClose("softmax backward", dr, dc, Tolerance.SUMS);
    }

    @ParameterizedTest
    @CsvSource({"130,768,true,true", "5,7,true,false", "65,192,false,true", "33,1,false,false", "1,100,true,true"})
    void layerNormForwardAndBackward(int rows, int d, boolean wantGamma, boolean wantBeta) {
        Tensor[] x = random(-3, 5, rows, d), gamma = random(0.5, 1.5, d), beta = random(-1, 1, d), g = random(-1, 1, rows, d);
        Tensor or = refOut(rows, d), mr = refOut(rows), rr = refOut(rows);
        Tensor oc = CudaSupport.poisoned(rows, d), mc = CudaSupport.poisoned(rows), rc = CudaSupport.poisoned(rows);
        cpuKernels.layerNorm(x[0], gamma[0], beta[0], 1e-6, or, mr, rr);
        cuda.layerNorm(x[1], gamma[1], beta[1], 1e-6, oc, mc, rc);
        assertClose("layer norm", or, oc, Tolerance.SUMS);
        assertClose("mean", mr, mc, Tolerance.SUMS);
        assertClose("rstd", rr, rc, Tolerance.SUMS);
        Tensor dxr = refOut(rows, d), dgr = refOut(d), dbr = refOut(d);
        Tensor dxc = CudaSupport.poisoned(rows, d), dgc = CudaSupport.poisoned(d), dbc = CudaSupport.poisoned(d);
        cpuKernels.layerNormBackward(x[0], gamma[0], mr, rr, g[0], dxr, dgr, dbr);
        cuda.layerNormBackward(x[1], gamma[1], mc, rc, g[1], dxc, wantGamma ? dgc : null, wantBeta ? dbc : null);
        assertClose("dx", dxr, dxc, Tolerance.CHAINS);
        if (wantGamma) {
            assertClose("dgamma", dgr, dgc, Tolerance.CHAINS);
        }
        if (wantBeta) {
            assertClose("dbeta", dbr, dbc, Tolerance.CHAINS);
        }
    }

    @ParameterizedTest
    @CsvSource({"9,100,0.1", "64,10,0", "3,1000,0.3"})
    void crossEntropyForwardAndBackward(int rows, int classes, double smoothing) {
        Tensor[] x = random(-5, 5, rows, classes);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = (int) (rng.nextDouble() * classes);
        }
        Tensor lr = refOut(rows), pr = refOut(rows, classes), lc = CudaSupport.poisoned(rows), pc = CudaSupport.poisoned(rows, classes);
        cpuKernels.crossEntropy(x[0], labels, smoothing, lr, pr);
        cuda.crossEntropy(x[1], labels, smoothing, lc, pc);
        assertClose("row losses", lr, lc, Tolerance.SUMS);
        assertClose("probs", pr, pc, Tolerance.SUMS);
        Tensor dr = refOut(rows, classes), dc = CudaSupport.poisoned(rows, classes);
        cpuKernels.crossEntropyBackward(pr, labels, smoothing, 0.25, dr);
        cuda.crossEntropyBackward(pc, labels, smoothing, 0.25, dc);
        assertClose("dlogits", dr, dc, Tolerance.SUMS);
    }

    @ParameterizedTest(name = "B={0} N={1} D={2} heads={3}")
    @CsvSource({"2,65,192,3", "1,197,128,2", "3,5,12,2", "1,1,8,1"})
    void attentionForwardAndBackward(int b, int n, int d, int heads) {
        double scale = 1 / Math.sqrt(d / heads);
        Tensor[] qkv = random(-1, 1, b, n, 3 * d), g = random(-1, 1, b, n, d);
        Tensor or = refOut(b, n, d), pr = refOut(b, heads, n, n);
        Tensor oc = CudaSupport.poisoned(b, n, d), pc = CudaSupport.poisoned(b, heads, n, n);
        cpuKernels.attention(qkv[0], heads, scale, or, pr);
        cuda.attention(qkv[1], heads, scale, oc, pc);
        assertClose("probs", pr, pc, Tolerance.CHAINS);
        assertClose("out", or, oc, Tolerance.CHAINS);
        Tensor dr = refOut(b, n, 3 * d), dc = CudaSupport.poisoned(b, n, 3 * d);
        cpuKernels.attentionBackward(qkv[0], pr, g[0], heads, scale, dr);
        cuda.attentionBackward(qkv[1], pc, g[1], heads, scale, dc);
        assertClose("dqkv", dr, dc, Tolerance.CHAINS);
    }

    /** KoRA's per-token passes against the cpu kernel's; v and dv' are column slices of a [N, 3D] tensor as in the op. */
    @ParameterizedTest(name = "N={0} D={1} 3r={2} dc={3}")
    @CsvSource({"300,64,24,4", "1,8,3,1", "97,40,6,7", "1000,96,48,32"})
    void koraTokens(int n, int d, int r3, int dc) {
        Tensor[] gate = random(0.7, 0.7, 1), dgate = {refOut(1)};
        Tensor[] u = random(-1, 1, n, r3), m = random(-1, 1, dc, r3), b1 = random(-1, 1, dc), w2 = random(-1, 1, d, dc),
                b2 = random(-1, 1, d), y = random(-1, 1, n, 3 * d), gy = random(-1, 1, n, 3 * d);
        Tensor vr = y[0].narrow(1, 2 * d, d), vc = y[1].narrow(1, 2 * d, d);
        Tensor prer = refOut(n, dc), prec = CudaSupport.poisoned(n, dc);
        cpuKernels.koraTokensForward(u[0], m[0], b1[0], w2[0], b2[0], gate[0], prer, vr);
        cuda.koraTokensForward(u[1], m[1], b1[1], w2[1], b2[1], gate[1], prec, vc);
        assertClose("pre", prer, prec, Tolerance.SUMS);
        assertClose("v'", y[0], y[1], Tolerance.CHAINS);

        Tensor dvr = gy[0].narrow(1, 2 * d, d), dvc = gy[1].narrow(1, 2 * d, d);
        Tensor[] refOuts = {refOut(n, r3), refOut(dc, r3), refOut(dc), refOut(d, dc), refOut(d)};
        cpuKernels.koraTokensBackward(u[0], prer, m[0], w2[0], b2[0], gate[0], dvr, refOuts[0], refOuts[1], refOuts[2], refOuts[3], refOuts[4], dgate[0]);
        double dgr = dgate[0].item();
        Tensor[][] runs = new Tensor[2][];
        double[] dgc = new double[2];
        for (int run = 0; run < 2; run++) {
            Tensor[] o = {CudaSupport.poisoned(n, r3), CudaSupport.poisoned(dc, r3), CudaSupport.poisoned(dc), CudaSupport.poisoned(d, dc), CudaSupport.poisoned(d)};
            Tensor dg = CudaSupport.poisoned(1);
            cuda.koraTokensBackward(u[1], prec, m[1], w2[1], b2[1], gate[1], dvc, o[0], o[1], o[2], o[3], o[4], dg);
            dgc[run] = dg.item();
            runs[run] = o;
        }
        String[] names = {"du", "G", "db1", "dW2", "db2"};
        for (int i = 0; i < names.length; i++) {
            assertClose(names[i], refOuts[i], runs[0][i], Tolerance.CHAINS);
            assertSameBits(names[i] + " repeats", runs[0][i], runs[1][i]);
        }
        assertEquals(dgr, dgc[0], 1e-4 * Math.max(1, Math.abs(dgr)), "dg");
        assertEquals(dgc[0], dgc[1], 0, "dg repeats");
    }

    @Test
    void adamwGivesTheCpuKernelsBits() {
        int n = 10_007;
        float[] w = Tensor.uniform(rng, -1, 1, n).toFloatArray(), m = new float[n], v = new float[n];
        Tensor wc = Tensor.of(w.clone(), n).to(Device.CUDA).detach(), mc = Tensor.zeros(DType.F32, Device.CUDA, n), vc = Tensor.zeros(DType.F32, Device.CUDA, n);
        for (int step = 1; step <= 3; step++) {
            float[] g = Tensor.uniform(rng, -1, 1, n).toFloatArray();
            var c = new AdamWKernel.Coefficients((float) (1 - 1e-3 * 0.01), 0.999f, 0.1f, 0.001f,
                    (float) (1e-3 / (1 - Math.pow(0.9, step))), (float) Math.sqrt(1 - Math.pow(0.999, step)), 1e-8f);
            AdamWKernel.step(w, 0, g, m, v, n, c);
            cuda.adamwStep(wc, Tensor.of(g, n).to(Device.CUDA).detach(), mc, vc, c);
        }
        assertSameBits("w", Tensor.of(w, n), wc);
        assertSameBits("m", Tensor.of(m, n), mc);
        assertSameBits("v", Tensor.of(v, n), vc);
    }

    @ParameterizedTest
    @CsvSource({"100003,0.1", "4097,0.5", "1,0.3"})
    void dropoutMaskGivesTheCpuBits(int n, double p) {
        long key = rng.nextLong();
        Tensor onCpu = Tensor.zeros(n), onCuda = CudaSupport.poisoned(n);
        dev.kora4j.backend.Backends.of(Device.CPU).dropoutMask(key, p, onCpu);
        cuda.dropoutMask(key, p, onCuda);
        assertSameBits("mask", onCpu, onCuda);
    }

    @Test
    void reportsItsDeviceAndGemm() {
        String described = cuda.describe();
        System.out.println(described);
        assertTrue(described.matches("cuda: \\S.* \\(sm_\\d+\\), GEMM: .*\\S.*"), described);
        assertEquals(cuda.usesCublas(), described.contains("cuBLAS"), described);
        System.setProperty("kora.cuda.gemm", "kernel");
        try {
            CudaGemm chosen = new CudaGemm(cuda.context);
            assertFalse(chosen.usesCublas(), "kora.cuda.gemm=kernel chooses the hand-written kernel");
            assertTrue(chosen.description().contains("kernel") && !chosen.description().contains("cuBLAS"), chosen.description());
        } finally {
            System.clearProperty("kora.cuda.gemm");
        }
    }
}
