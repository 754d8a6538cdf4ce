package dev.kora4j.backend.cuda;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import jcuda.driver.CUdeviceptr;

/** How the cuda backend hands tensors to kernels: device addresses, layouts, contiguous copies. */
final class CudaTensors {
    /** Must match MAX_RANK in kernels/common.cuh. */
    static final int MAX_RANK = 8;
    static final int THREADS = 256;

    private CudaTensors() {}

    /** The device address of t's first element; t must live on the cuda device. */
    static CUdeviceptr ptr(String op, Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException(op + ": a tensor on " + t.device() + " was given to the cuda backend");
        }
        return s.at(t.offset());
    }

    /** The numeric device address of t's first element (for tables of tensors). */
    static long address(String op, Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException(op + ": a tensor on " + t.device() + " was given to the cuda backend");
        }
        return s.address(t.offset());
    }

    /** The kernels' struct Layout {rank; shape[8]; stride[8]} of a view (its offset is in ptr). */
    static int[] layout(String op, Tensor t) {
        if (t.isContiguous()) { // one dim: the kernels then index without dividing
            return layout(op, new int[] {t.numel()}, new int[] {1});
        }
        return layout(op, t.shape(), t.strides());
    }

    static int[] layout(String op, int[] shape, int[] strides) {
        if (shape.length > MAX_RANK) {
            throw new UnsupportedOperationException(op + ": the cuda backend handles tensors of rank ≤ " + MAX_RANK + ", got shape " + Shape.format(shape));
        }
        int[] l = new int[1 + 2 * MAX_RANK];
        l[0] = shape.length;
        System.arraycopy(shape, 0, l, 1, shape.length);
        System.arraycopy(strides, 0, l, 1 + MAX_RANK, strides.length);
        return l;
    }

    /** Blocks for a grid-stride loop over n elements. */
    static int blocksFor(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 1 << 16));
    }

    /** Threads for one block per row of `cols` elements: a multiple of 32 from 32 to 256. */
    static int rowThreads(int cols) {
        return Math.max(32, Math.min(256, (cols + 31) / 32 * 32));
    }

    /** A tensor's elements in row-major order at one address: its own when contiguous, else a copy. */
    record Dense(CUdeviceptr pointer, DeviceBuffer copy) implements AutoCloseable {
        @Override
        public void close() {
            if (copy != null) {
                copy.close();
            }
        }
    }

    static Dense dense(CudaContext context, String op, Tensor t) {
        if (t.isContiguous()) {
            return new Dense(ptr(op, t), null);
        }
        DeviceBuffer copy = DeviceBuffer.floats(context, t.numel());
        copyInto(context, op, t, copy.pointer(), t.shape(), t.strides());
        return new Dense(copy.pointer(), copy);
    }

    /** Gathers the view (shape, strides at t's address) into contiguous memory at dst. */
    static void copyInto(CudaContext context, String op, Tensor t, CUdeviceptr dst, int[] shape, int[] strides) {
        long n = Shape.numel(shape);
        if (n == 0) {
            return;
        }
        context.launch("copy_strided", new int[] {blocksFor(n), 1, 1}, new int[] {THREADS, 1, 1}, 0,
                ptr(op, t), layout(op, shape, strides), dst, layout(op, shape, Shape.contiguousStrides(shape)), n);
    }

    static void requireContiguous(String op, Tensor t, String what) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(op + ": the cuda backend needs a contiguous " + what + ", got shape "
                    + Shape.format(t.shape()) + " with strides " + Shape.format(t.strides()));
        }
    }
}
