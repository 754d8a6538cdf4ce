package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.DeviceStorage;
import dev.kora4j.tensor.Tensor;

/** Copies between layouts, devices and dtypes. */
public final class Copies {
    private Copies() {}

    /** A new contiguous tensor like x (same dtype and device) for an op to overwrite entirely (see {@link Tensor#empty}). */
    public static Tensor empty(Tensor like, int... shape) {
        return Tensor.empty(like.dtype(), like.device(), shape);
    }

    /** A new zero-filled contiguous tensor like x, pooled as {@link #empty}'s are. */
    public static Tensor zeros(Tensor like, int... shape) {
        return Tensor.pooledZeros(like.dtype(), like.device(), shape);
    }

    /** A contiguous copy of x, not recorded on the tape (autograd's own bookkeeping uses it). */
    public static Tensor contiguousCopy(Tensor x) {
        Tensor out = empty(x, x.shape());
        Backends.of(x).copy(x, out);
        return out;
    }

    /** A contiguous copy of x; the gradient passes through unchanged. */
    public static Tensor contiguous(Tensor x) {
        return Tape.record("contiguous", contiguousCopy(x), new Tensor[] {x}, (g, node) -> new Tensor[] {g});
    }

    /** x on another device (heap devices exchange data by copying; the gradient goes back the same way). */
    public static Tensor to(Tensor x, Device target) {
        if (x.device() == target) {
            return x;
        }
        Tensor out = Tensor.zeros(x.dtype(), target, x.shape());
        transfer(x, out);
        Device source = x.device();
        return Tape.record("to_" + target, out, new Tensor[] {x}, (g, node) -> new Tensor[] {to(g, source)});
    }

    /** x converted to another dtype; the gradient is converted back. */
    public static Tensor to(Tensor x, DType target) {
        if (x.dtype() == target) {
            return x;
        }
        Tensor out = Tensor.zeros(target, x.device(), x.shape());
        transfer(x, out);
        DType source = x.dtype();
        return Tape.record("to_" + target, out, new Tensor[] {x}, (g, node) -> new Tensor[] {to(g, source)});
    }

    /** Element-by-element copy through doubles, for copies across heap devices or dtypes. */
    private static void transfer(Tensor src, Tensor dst) {
        if (dst.storage() instanceof DeviceStorage device) {
            device.write(src.toFloatArray()); // one bulk copy (device tensors are F32)
            return;
        }
        double[] values = src.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            dst.storage().set(i, values[i]);
        }
    }
}
