package dev.kora4j.backend.cuda;

import static dev.kora4j.backend.cuda.CudaTensors.THREADS;
import static dev.kora4j.backend.cuda.CudaTensors.blocksFor;
import static dev.kora4j.backend.cuda.CudaTensors.dense;
import static dev.kora4j.backend.cuda.CudaTensors.ptr;
import static dev.kora4j.backend.cuda.CudaTensors.requireContiguous;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import dev.kora4j.backend.cpu.AdamWKernel;
import dev.kora4j.tensor.Tensor;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** The fused passes: KoRA's per-token forward and backward (kernels/kora.cu), attention, AdamW. */
final class CudaFused {
    /** Must match KORA_MAX_DC in kernels/kora.cu. */
    static final int KORA_MAX_DC = 32;
    /** Tokens per block in KoRA's backward: the chunk whose sums over tokens one block writes. */
    static final int KORA_CHUNK = 32;
    /** Static shared memory every sm_80+ device gives a block without opting in. */
    static final int SHARED_LIMIT = 48 * 1024;

    private final CudaContext context;

    CudaFused(CudaContext context) {
        this.context = context;
    }

    // ---- KoRA -----------------------------------------------------------------------------------

    void koraForward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, Tensor gate, Tensor pre, Tensor v) {
        String op = "kora";
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        checkKora(op, dc, v);
        requireContiguous(op, pre, "pre");
        if (n == 0) {
            return;
        }
        try (var ud = dense(context, op, u); var md = dense(context, op, m); var b1d = dense(context, op, b1);
             var w2d = dense(context, op, w2); var b2d = dense(context, op, b2)) {
            context.launch("kora_forward", new int[] {n, 1, 1}, new int[] {128, 1, 1}, dc * Float.BYTES,
                    ud.pointer(), md.pointer(), b1d.pointer(), w2d.pointer(), b2d.pointer(), ptr(op, gate),
                    ptr(op, pre), ptr(op, v), v.stride(0), n, r3, dc, d);
        }
    }

    /** Writes dg into dgate on the device: nothing comes back to the host. */
    void koraBackward(CudaBackend backend, Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, Tensor gate, Tensor dv,
                      Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2, Tensor dgate) {
        String op = "kora_backward";
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        checkKora(op, dc, dv);
        for (Tensor t : new Tensor[] {du, g, db1, dw2, db2}) {
            requireContiguous(op, t, "output");
        }
        int chunks = Math.max(1, (n + KORA_CHUNK - 1) / KORA_CHUNK);
        int tokenWidth = dc * r3 + dc + 1, width = tokenWidth + d * dc + d; // per chunk: G, db1, dg, dW2, db2
        // one warp per token, each with its own partial sums, beside the chunk's h
        int warps = warpsFor(op, (long) KORA_CHUNK * dc, (long) dc * r3 + 2L * dc + 1);
        int threads = 32 * warps;
        int shared = (warps * (dc * r3 + 2 * dc + 1) + KORA_CHUNK * dc) * Float.BYTES;
        try (var ud = dense(context, op, u); var pd = dense(context, op, pre); var md = dense(context, op, m);
             var w2d = dense(context, op, w2); var b2d = dense(context, op, b2);
             var partials = DeviceBuffer.floats(context, (long) chunks * width);
             var sums = DeviceBuffer.floats(context, width)) {
            if (n > 0) {
                context.launch("kora_backward", new int[] {chunks, 1, 1}, new int[] {threads, 1, 1}, shared,
                        ud.pointer(), pd.pointer(), md.pointer(), w2d.pointer(), b2d.pointer(), ptr(op, gate), ptr(op, dv), dv.stride(0),
                        ptr(op, du), partials.pointer(), n, r3, dc, d, KORA_CHUNK);
            }
            // With no tokens the partial sums are never written: add zero chunks instead.
            backend.sumPartials(partials.pointer(), sums.pointer(), n > 0 ? chunks : 0, width);
            copy(sums.at(0), ptr(op, g), (long) dc * r3);
            copy(sums.at((long) dc * r3), ptr(op, db1), dc);
            copy(sums.at((long) dc * r3 + dc), ptr(op, dgate), 1);
            copy(sums.at(tokenWidth), ptr(op, dw2), (long) d * dc);
            copy(sums.at(tokenWidth + (long) d * dc), ptr(op, db2), d);
        }
    }

    /** m ← s·[W1_q·B_q, W1_k·B_k, W1_v·B_v] [dc, 3r] in one launch. */
    void koraCompose(Tensor w1, Tensor bq, Tensor bk, Tensor bv, double s, Tensor m) {
        String op = "kora_compose";
        int dc = w1.size(0), d = bq.size(0), r = bq.size(1);
        requireContiguous(op, m, "output");
        if (m.numel() == 0) {
            return;
        }
        try (var w = dense(context, op, w1); var q = dense(context, op, bq); var k = dense(context, op, bk); var v = dense(context, op, bv)) {
            context.launch("kora_compose", new int[] {3 * r, dc, 1}, new int[] {128, 1, 1}, 0,
                    w.pointer(), q.pointer(), k.pointer(), v.pointer(), (float) s, ptr(op, m), d, r, dc);
        }
    }

    /** dW1 [dc, 3D] and dB_j [D, r] from G = dL/dM [dc, 3r], in one launch. */
    void koraComposeBackward(Tensor w1, Tensor bq, Tensor bk, Tensor bv, Tensor g, double s, Tensor dw1, Tensor dbq, Tensor dbk, Tensor dbv) {
        String op = "kora_compose_backward";
        int dc = w1.size(0), d = bq.size(0), r = bq.size(1);
        for (Tensor t : new Tensor[] {dw1, dbq, dbk, dbv}) {
            requireContiguous(op, t, "output");
        }
        long shared = (long) dc * 3 * r * Float.BYTES;
        if (shared > SHARED_LIMIT) {
            throw new UnsupportedOperationException(op + ": d_comp·3r = " + dc * 3 * r + " does not fit the kernel's shared memory");
        }
        if (d == 0 || r == 0) {
            return;
        }
        try (var w = dense(context, op, w1); var q = dense(context, op, bq); var k = dense(context, op, bk); var v = dense(context, op, bv);
             var gd = dense(context, op, g)) {
            context.launch("kora_compose_backward", new int[] {(d + 127) / 128, 3, 1}, new int[] {128, 1, 1}, (int) shared,
                    w.pointer(), q.pointer(), k.pointer(), v.pointer(), gd.pointer(), (float) s,
                    ptr(op, dw1), ptr(op, dbq), ptr(op, dbk), ptr(op, dbv), d, r, dc);
        }
    }

    private static void checkKora(String op, int dc, Tensor v) {
        if (dc > KORA_MAX_DC) {
            throw new UnsupportedOperationException(op + ": the cuda kernels take d_comp ≤ " + KORA_MAX_DC + ", got " + dc);
        }
        if (v.rank() != 2 || v.stride(1) != 1) {
            throw new IllegalArgumentException(op + ": the cuda backend needs v's columns contiguous (stride 1), got strides "
                    + java.util.Arrays.toString(v.strides()));
        }
    }

    private void copy(CUdeviceptr from, CUdeviceptr to, long floats) {
        if (floats > 0) {
            context.makeCurrent();
            cuMemcpyDtoDAsync(to, from, floats * Float.BYTES, context.stream());
        }
    }

    // ---- attention ------------------------------------------------------------------------------

    /** Warps per block (one token, query row or key column each) such that `floatsPerWarp` each fit in shared memory. */
    private static int warpsFor(String op, long floatsPerWarp) {
        return warpsFor(op, 0, floatsPerWarp);
    }

    /** The same, with `fixedFloats` of the block's own besides (attention's staged tile). */
    private static int warpsFor(String op, long fixedFloats, long floatsPerWarp) {
        for (int warps = 8; warps >= 1; warps /= 2) {
            if ((fixedFloats + warps * floatsPerWarp) * Float.BYTES <= SHARED_LIMIT) {
                return warps;
            }
        }
        throw new UnsupportedOperationException(op + ": too many tokens or too wide a head for the cuda kernel's shared memory");
    }

    /** Must match ATT_TILE and ATT_MAX_HD in kernels/attention.cu. */
    static final int ATT_TILE = 32, ATT_MAX_HD = 256;

    private static void checkHeadWidth(String op, int hd) {
        if (hd > ATT_MAX_HD) {
            throw new UnsupportedOperationException(op + ": the cuda attention kernels take heads up to " + ATT_MAX_HD + " wide, got " + hd);
        }
    }

    void attention(Tensor qkv, int heads, float scale, Tensor out, Tensor probs) {
        String op = "attention";
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        requireContiguous(op, out, "output");
        requireContiguous(op, probs, "probs");
        if (b == 0 || n == 0 || hd == 0) {
            return;
        }
        checkHeadWidth(op, hd);
        long tile = (long) ATT_TILE * (hd + 1);
        int warps = warpsFor(op, tile, hd + n);
        try (var x = dense(context, op, qkv)) {
            context.launch("attention_forward", new int[] {(n + warps - 1) / warps, heads, b}, new int[] {32 * warps, 1, 1},
                    (int) (tile + warps * (hd + n)) * Float.BYTES, x.pointer(), new int[] {n, d, hd}, scale, ptr(op, out), ptr(op, probs));
        }
    }

    void attentionBackward(Tensor qkv, Tensor probs, Tensor gOut, int heads, float scale, Tensor dqkv) {
        String op = "attention_backward";
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        requireContiguous(op, dqkv, "output");
        if (b == 0 || n == 0 || hd == 0) {
            return;
        }
        checkHeadWidth(op, hd);
        long tile = (long) ATT_TILE * (hd + 1);
        int rowWarps = warpsFor(op, tile, hd + n), colWarps = warpsFor(op, 2L * n);
        int[] dims = {n, d, hd};
        try (var x = dense(context, op, qkv); var p = dense(context, op, probs); var go = dense(context, op, gOut);
             var ds = DeviceBuffer.floats(context, (long) b * heads * n * n)) {
            context.launch("attention_backward_rows", new int[] {(n + rowWarps - 1) / rowWarps, heads, b}, new int[] {32 * rowWarps, 1, 1},
                    (int) (tile + rowWarps * (hd + n)) * Float.BYTES, x.pointer(), p.pointer(), go.pointer(), dims, scale, ds.pointer(), ptr(op, dqkv));
            context.launch("attention_backward_cols", new int[] {(n + colWarps - 1) / colWarps, heads, b}, new int[] {32 * colWarps, 1, 1},
                    colWarps * 2 * n * Float.BYTES, x.pointer(), p.pointer(), go.pointer(), dims, ds.pointer(), ptr(op, dqkv));
        }
    }

    // ---- AdamW ----------------------------------------------------------------------------------

    /**
     * One AdamW step over every tensor of {@code tensors} (each {w, g, m, v}, contiguous and of one
     * size) in one launch: the kernel reads a table of their addresses.
     */
    void adamw(List<Tensor[]> tensors, AdamWKernel.Coefficients c) {
        String op = "adamw";
        int count = tensors.size();
        long[] table = new long[4 * count + count + 1]; // addresses [count][4], then starts [count + 1]
        long total = 0;
        for (int t = 0; t < count; t++) {
            Tensor[] wgmv = tensors.get(t);
            long n = wgmv[0].numel();
            for (int k = 0; k < 4; k++) {
                requireContiguous(op, wgmv[k], "tensor");
                if (wgmv[k].numel() != n) {
                    throw new IllegalArgumentException(op + ": w, g, m and v must have one size, got " + CudaBackend.shapes(wgmv));
                }
                table[4 * t + k] = CudaTensors.address(op, wgmv[k]);
            }
            table[4 * count + t] = total;
            total += n;
        }
        table[4 * count + count] = total;
        if (total == 0) {
            return;
        }
        try (var onDevice = DeviceBuffer.floats(context, 2L * table.length)) { // longs: two floats' room each
            context.makeCurrent();
            cuMemcpyHtoDAsync(onDevice.pointer(), Pointer.to(table), (long) table.length * Long.BYTES, context.stream());
            context.launch("adamw_step", new int[] {blocksFor(total), 1, 1}, new int[] {THREADS, 1, 1}, 0,
                    onDevice.pointer(), onDevice.at(2L * 4 * count), count, total,
                    c.decay(), c.beta2(), c.oneMinusBeta1(), c.oneMinusBeta2(), c.stepSize(), c.bc2Sqrt(), c.eps());
        }
    }
}
