package dev.kora4j.backend.cuda;

import static dev.kora4j.backend.cuda.CudaTensors.THREADS;
import static dev.kora4j.backend.cuda.CudaTensors.blocksFor;
import static dev.kora4j.backend.cuda.CudaTensors.dense;
import static dev.kora4j.backend.cuda.CudaTensors.layout;
import static dev.kora4j.backend.cuda.CudaTensors.ptr;
import static dev.kora4j.backend.cuda.CudaTensors.requireContiguous;
import static dev.kora4j.backend.cuda.CudaTensors.rowThreads;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import dev.kora4j.backend.Backend;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.LinearEpilogue;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.backend.cpu.AdamWKernel;
import dev.kora4j.backend.fused.AttentionKernel;
import dev.kora4j.backend.fused.CrossEntropyKernel;
import dev.kora4j.backend.fused.KoraCompositionKernel;
import dev.kora4j.backend.fused.KoraTokensKernel;
import dev.kora4j.backend.fused.LayerNormKernel;
import dev.kora4j.backend.fused.SoftmaxKernel;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The Backend on an NVIDIA GPU: each method launches the kernels of kernels/*.cu on the context's
 * stream (F32 only). Results come back to the host only when asked for (item(), toFloatArray()),
 * except the few scalars the interface returns (max's argmax, KoRA's dg), which sync.
 * The fused KoRA, attention and AdamW passes are in {@link CudaFused}.
 */
public final class CudaBackend implements Backend, SoftmaxKernel, LayerNormKernel, CrossEntropyKernel, AttentionKernel,
        KoraTokensKernel, KoraCompositionKernel {
    private static volatile CudaBackend instance;

    final CudaContext context;
    private final CudaGemm gemm;
    private final CudaFused fused;

    private CudaBackend(CudaContext context) {
        this.context = context;
        this.gemm = new CudaGemm(context);
        this.fused = new CudaFused(context);
    }

    /** The backend of this process's cuda device; throws {@link CudaUnavailableException} with one line when there is none. */
    public static CudaBackend get() {
        CudaBackend b = instance;
        if (b == null) {
            synchronized (CudaBackend.class) {
                if (instance == null) {
                    instance = new CudaBackend(CudaContext.get());
                }
                b = instance;
            }
        }
        return b;
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device, and which GEMM this backend uses (cuBLAS, or the hand-written kernel and why). */
    public String describe() {
        return "cuda: " + context.deviceName() + " (sm_" + context.capability() + "), GEMM: " + gemm.description();
    }

    /** Whether kernels run on the CPU stand-in (KORA_CUDA_EMULATOR=1) rather than a GPU: timings then mean nothing. */
    public boolean standIn() {
        return context.standIn();
    }

    /** Copies from the device to the host so far (each one waits for the GPU): for tests of what stays on the device. */
    public long hostCopies() {
        return context.hostCopies();
    }

    /** Launches so far of each of the project's kernels (cuBLAS's products not counted): for tests of what an op launches. */
    public java.util.Map<String, Long> launches() {
        return context.launches();
    }

    /** Bytes of device memory the allocator has handed out and not had back. */
    public long memoryInUse() {
        return context.allocator.bytesInUse();
    }

    /** The most device memory in use at once so far, in bytes (as PyTorch's max_memory_allocated counts). */
    public long memoryPeak() {
        return context.allocator.bytesPeak();
    }

    /** Bytes of device memory the allocator keeps for reuse. */
    public long memoryCached() {
        return context.allocator.bytesCached();
    }

    /** A timer of GPU work by CUDA events on this backend's stream. */
    public CudaTimer timer() {
        return new CudaTimer(context);
    }

    /** Waits for all queued work (timings, and errors of earlier launches). */
    public void synchronize() {
        context.sync();
    }

    private void launch1d(String kernel, long n, Object... args) {
        context.launch(kernel, new int[] {blocksFor(n), 1, 1}, new int[] {THREADS, 1, 1}, 0, args);
    }

    // ---- elementwise -----------------------------------------------------------------------

    @Override
    public void copy(Tensor src, Tensor dst) {
        long n = dst.numel();
        if (n > 0) {
            launch1d("copy_strided", n, ptr("copy", src), layout("copy", src), ptr("copy", dst), layout("copy", dst), n);
        }
    }

    @Override
    public void map(UnaryOp op, double p, Tensor x, Tensor out) {
        long n = out.numel();
        if (n > 0) {
            launch1d("map_forward", n, CudaOps.code(op), (float) p, ptr("map", x), layout("map", x), ptr("map", out), layout("map", out), n);
        }
    }

    @Override
    public void mapBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor grad, Tensor dx) {
        long n = dx.numel();
        if (n == 0) {
            return;
        }
        int[] none = layout("map_backward", new int[0], new int[0]);
        launch1d("map_backward", n, CudaOps.code(op), (float) p,
                x == null ? new CUdeviceptr() : ptr("map_backward", x), x == null ? none : layout("map_backward", x),
                y == null ? new CUdeviceptr() : ptr("map_backward", y), y == null ? none : layout("map_backward", y),
                ptr("map_backward", grad), layout("map_backward", grad), ptr("map_backward", dx), layout("map_backward", dx), n);
    }

    @Override
    public void dropoutMask(long key, double p, Tensor mask) {
        requireContiguous("dropout", mask, "mask");
        long n = mask.numel();
        if (n > 0) {
            launch1d("dropout_mask", n, ptr("dropout", mask), n, key, p, (float) (1 / (1 - p)));
        }
    }

    @Override
    public void zip(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        if (n > 0) {
            launch1d("zip", n, CudaOps.code(op), ptr("zip", a), layout("zip", a), ptr("zip", b), layout("zip", b),
                    ptr("zip", out), layout("zip", out), n);
        }
    }

    // ---- reductions: the reduced dims are moved last (one gather), then one block per output --

    @Override
    public void sum(Tensor x, int[] dims, Tensor out) {
        requireContiguous("sum", out, "output");
        boolean[] summed = new boolean[x.rank()];
        for (int d : dims) {
            summed[d] = true;
        }
        int rows = out.numel();
        if (rows == 0) {
            return;
        }
        int cols = x.numel() / rows;
        int leading = 0;
        while (leading < summed.length && summed[leading]) {
            leading++;
        }
        boolean onlyLeading = java.util.stream.IntStream.of(dims).distinct().count() == leading;
        if (x.isContiguous() && leading > 0 && onlyLeading && cols > 0 && cols <= 65535L * SUM_CHUNK) {
            sumLeading(x, out, cols, rows); // x is [cols reduced, rows kept] row-major: sum its columns
            return;
        }
        try (var rowsOf = reducedLast(x, summed, "sum")) {
            context.launch("sum_rows", new int[] {rows, 1, 1}, new int[] {rowThreads(cols), 1, 1}, 0,
                    rowsOf.pointer(), ptr("sum", out), rows, cols);
        }
    }

    /** Rows per block of the column sums: the chunk whose partial sums one block writes. */
    private static final int SUM_CHUNK = 64;

    /** out[j] = Σ_r x[r, j] for contiguous x viewed as [reduced, kept], in fixed chunks of rows added in order. */
    private void sumLeading(Tensor x, Tensor out, int reduced, int kept) {
        int chunks = (reduced + SUM_CHUNK - 1) / SUM_CHUNK;
        try (var partials = DeviceBuffer.floats(context, (long) chunks * kept)) {
            context.launch("sum_cols", new int[] {(kept + THREADS - 1) / THREADS, chunks, 1}, new int[] {THREADS, 1, 1}, 0,
                    ptr("sum", x), partials.pointer(), reduced, kept, SUM_CHUNK);
            sumPartials(partials.pointer(), ptr("sum", out), chunks, kept);
        }
    }

    @Override
    public void max(Tensor x, int dim, Tensor out, int[] argmax) {
        requireContiguous("max", out, "output");
        boolean[] reduced = new boolean[x.rank()];
        reduced[dim] = true;
        int rows = out.numel(), cols = x.size(dim);
        if (rows == 0) {
            return;
        }
        try (var rowsOf = reducedLast(x, reduced, "max"); var indices = DeviceBuffer.floats(context, rows)) {
            context.launch("max_rows", new int[] {rows, 1, 1}, new int[] {rowThreads(cols), 1, 1}, 0,
                    rowsOf.pointer(), ptr("max", out), indices.pointer(), rows, cols);
            int[] host = new int[rows];
            context.copyToHost(Pointer.to(host), indices.pointer(), (long) rows * Integer.BYTES);
            System.arraycopy(host, 0, argmax, 0, rows);
        }
    }

    /** x's elements as contiguous rows: the kept dims in order, then the reduced dims (x itself when already so). */
    private CudaTensors.Dense reducedLast(Tensor x, boolean[] reduced, String op) {
        int rank = x.rank();
        int[] order = new int[rank];
        int at = 0;
        for (int d = 0; d < rank; d++) {
            if (!reduced[d]) {
                order[at++] = d;
            }
        }
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                order[at++] = d;
            }
        }
        boolean identity = true;
        for (int d = 0; d < rank; d++) {
            identity &= order[d] == d;
        }
        if (identity && x.isContiguous()) {
            return new CudaTensors.Dense(ptr(op, x), null);
        }
        int[] shape = new int[rank], strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = x.size(order[d]);
            strides[d] = x.stride(order[d]);
        }
        DeviceBuffer copy = DeviceBuffer.floats(context, x.numel());
        CudaTensors.copyInto(context, op, x, copy.pointer(), shape, strides);
        return new CudaTensors.Dense(copy.pointer(), copy);
    }

    // ---- matmul -------------------------------------------------------------------------------

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, boolean accumulate) {
        gemm.multiply(a, b, c, accumulate);
    }

    /**
     * The product, the low-rank update accumulated onto it (a second product), then bias, GELU and
     * the residual in one pass (kernel linear_epilogue) instead of one launch each.
     */
    @Override
    public void linear(Tensor a, Tensor b, Tensor out, LinearEpilogue e) {
        if (e.scale() != null || e.unscaled() != null) {
            Backend.super.linear(a, b, out, e); // DoRA's column scale: the epilogue's steps as passes of their own
            return;
        }
        e.check(a, b, out);
        Tensor y = e.gelu() ? e.pre() : out;
        gemm.multiply(a, b, y, false);
        if (e.u() != null) {
            gemm.multiply(e.u(), e.v(), y, true);
        }
        if (e.bias() == null && !e.gelu() && e.residual() == null) {
            return;
        }
        CUdeviceptr none = new CUdeviceptr();
        String op = "linear";
        launch1d("linear_epilogue", out.numel(), ptr(op, y), e.bias() == null ? none : ptr(op, e.bias()), e.gelu() ? 1 : 0,
                ptr(op, out), e.residual() == null ? none : ptr(op, e.residual()), (long) out.numel(), out.size(1));
    }

    /** Whether matmul goes through cuBLAS (else the hand-written kernel). */
    public boolean usesCublas() {
        return gemm.usesCublas();
    }

    // ---- softmax, layer norm, cross-entropy: one block per row --------------------------------

    @Override
    public void softmax(Tensor x, Tensor out, boolean log) {
        int cols = x.size(-1), rows = x.numel() / Math.max(1, cols);
        requireContiguous("softmax", out, "output");
        if (rows == 0 || cols == 0) {
            return;
        }
        try (var xd = dense(context, "softmax", x)) {
            context.launch("softmax_forward", new int[] {rows, 1, 1}, new int[] {rowThreads(cols), 1, 1}, 0,
                    xd.pointer(), ptr("softmax", out), rows, cols, log ? 1 : 0);
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, Tensor dx, boolean log) {
        int cols = y.size(-1), rows = y.numel() / Math.max(1, cols);
        requireContiguous("softmax_backward", dx, "output");
        if (rows == 0 || cols == 0) {
            return;
        }
        try (var yd = dense(context, "softmax_backward", y); var gd = dense(context, "softmax_backward", gy)) {
            context.launch("softmax_backward", new int[] {rows, 1, 1}, new int[] {rowThreads(cols), 1, 1}, 0,
                    yd.pointer(), gd.pointer(), ptr("softmax_backward", dx), rows, cols, log ? 1 : 0);
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int d = x.size(-1), rows = x.numel() / Math.max(1, d);
        if (rows == 0 || d == 0) {
            return;
        }
        String op = "layer_norm";
        try (var xd = dense(context, op, x); var gd = dense(context, op, gamma); var bd = dense(context, op, beta)) {
            context.launch("layernorm_forward", new int[] {rows, 1, 1}, new int[] {rowThreads(d), 1, 1}, 0,
                    xd.pointer(), gd.pointer(), bd.pointer(), (float) eps, ptr(op, out), ptr(op, mean), ptr(op, rstd), rows, d);
        }
    }

    /** Rows per block of layer norm's backward: the chunk whose dγ, dβ partial sums one block writes. */
    private static final int LN_ROWS_PER_BLOCK = 32;

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        int d = x.size(-1), rows = x.numel() / Math.max(1, d);
        String op = "layer_norm_backward";
        boolean weights = dgamma != null || dbeta != null;
        int blocks = (rows + LN_ROWS_PER_BLOCK - 1) / LN_ROWS_PER_BLOCK;
        try (var xd = dense(context, op, x); var gd = dense(context, op, gamma); var md = dense(context, op, mean);
             var rd = dense(context, op, rstd); var gyd = dense(context, op, gy);
             var pg = weights ? DeviceBuffer.floats(context, (long) blocks * d) : null;
             var pb = weights ? DeviceBuffer.floats(context, (long) blocks * d) : null) {
            if (rows > 0 && d > 0) {
                context.launch("layernorm_backward", new int[] {blocks, 1, 1}, new int[] {rowThreads(d), 1, 1}, 0,
                        xd.pointer(), gd.pointer(), md.pointer(), rd.pointer(), gyd.pointer(), ptr(op, dx),
                        weights ? pg.pointer() : new CUdeviceptr(), weights ? pb.pointer() : new CUdeviceptr(),
                        rows, d, LN_ROWS_PER_BLOCK);
            }
            if (dgamma != null) {
                sumPartials(pg.pointer(), ptr(op, dgamma), blocks, d);
            }
            if (dbeta != null) {
                sumPartials(pb.pointer(), ptr(op, dbeta), blocks, d);
            }
        }
    }

    /** out[k] = Σ_c partials[c, k], the chunks c added in order (kernels/reduce.cu). */
    void sumPartials(CUdeviceptr partials, CUdeviceptr out, int chunks, int width) {
        if (width > 0) {
            context.launch("sum_partials", new int[] {(width + THREADS - 1) / THREADS, 1, 1}, new int[] {THREADS, 1, 1}, 0,
                    partials, out, chunks, width);
        }
    }

    @Override
    public void crossEntropy(Tensor logits, int[] labels, double smoothing, Tensor rowLoss, Tensor probs) {
        int classes = logits.size(-1), rows = labels.length;
        if (rows == 0) {
            return;
        }
        String op = "cross_entropy";
        try (var ld = dense(context, op, logits); var lab = labelsOnDevice(labels, classes)) {
            context.launch("cross_entropy_forward", new int[] {rows, 1, 1}, new int[] {rowThreads(classes), 1, 1}, 0,
                    ld.pointer(), lab.pointer(), (float) smoothing, ptr(op, rowLoss), ptr(op, probs), rows, classes);
        }
    }

    @Override
    public void crossEntropyBackward(Tensor probs, int[] labels, double smoothing, double scale, Tensor dlogits) {
        int classes = probs.size(-1), rows = labels.length;
        if (rows == 0) {
            return;
        }
        String op = "cross_entropy_backward";
        try (var pd = dense(context, op, probs); var lab = labelsOnDevice(labels, classes)) {
            launch1d("cross_entropy_backward", (long) rows * classes, pd.pointer(), lab.pointer(), (float) smoothing, (float) scale,
                    ptr(op, dlogits), rows, classes);
        }
    }

    private DeviceBuffer labelsOnDevice(int[] labels, int classes) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("cross_entropy: label " + labels[i] + " of row " + i + " is outside [0, " + classes + ")");
            }
        }
        DeviceBuffer b = DeviceBuffer.floats(context, labels.length); // ints and floats are both 4 bytes
        context.makeCurrent();
        cuMemcpyHtoDAsync(b.pointer(), Pointer.to(labels), (long) labels.length * Integer.BYTES, context.stream());
        return b;
    }

    // ---- fused passes ---------------------------------------------------------------------------

    @Override
    public void koraTokensForward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, Tensor gate, Tensor pre, Tensor v) {
        fused.koraForward(u, m, b1, w2, b2, gate, pre, v);
    }

    @Override
    public void koraTokensBackward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, Tensor gate, Tensor dv,
                                   Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2, Tensor dgate) {
        fused.koraBackward(this, u, pre, m, w2, b2, gate, dv, du, g, db1, dw2, db2, dgate);
    }

    @Override
    public void koraComposition(Tensor w1, Tensor bq, Tensor bk, Tensor bv, double s, Tensor m) {
        fused.koraCompose(w1, bq, bk, bv, s, m);
    }

    @Override
    public void koraCompositionBackward(Tensor w1, Tensor bq, Tensor bk, Tensor bv, Tensor g, double s,
                                        Tensor dw1, Tensor dbq, Tensor dbk, Tensor dbv) {
        fused.koraComposeBackward(w1, bq, bk, bv, g, s, dw1, dbq, dbk, dbv);
    }

    @Override
    public void attention(Tensor qkv, int heads, double scale, Tensor out, Tensor probs) {
        fused.attention(qkv, heads, (float) scale, out, probs);
    }

    @Override
    public void attentionBackward(Tensor qkv, Tensor probs, Tensor gOut, int heads, double scale, Tensor dqkv) {
        fused.attentionBackward(qkv, probs, gOut, heads, (float) scale, dqkv);
    }

    /**
     * One AdamW step over contiguous w, g, m, v of equal size (a flat buffer holding every trainable
     * tensor serves as well as one tensor), with the bits of {@link AdamWKernel#step}.
     */
    public void adamwStep(Tensor w, Tensor g, Tensor m, Tensor v, AdamWKernel.Coefficients c) {
        fused.adamw(List.<Tensor[]>of(new Tensor[] {w, g, m, v}), c);
    }

    /** One AdamW step over many tensors in one launch: each element of {@code tensors} is {w, g, m, v}. */
    public void adamwStep(List<Tensor[]> tensors, AdamWKernel.Coefficients c) {
        fused.adamw(tensors, c);
    }

    static String shapes(Tensor... ts) {
        return String.join(", ", Arrays.stream(ts).map(t -> Shape.format(t.shape())).toList());
    }
}
