package dev.kora4j.nn;

import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.DeviceStorage;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/** Parameter initialisers as timm and PyTorch define them. */
public final class Init {
    private Init() {}

    /** Normal(0, std) redrawn outside [lo, hi] (timm's trunc_normal_ uses the absolute bounds −2, 2). */
    public static Tensor truncatedNormal(Rng rng, double std, double lo, double hi, DType dtype, Device device, int... shape) {
        if (!device.onHeap()) { // drawn on the heap, moved in one transfer
            return truncatedNormal(rng, std, lo, hi, dtype, Device.CPU, shape).to(device).detach();
        }
        Tensor t = Tensor.zeros(dtype, device, shape);
        for (int i = 0; i < t.numel(); i++) {
            double v;
            do {
                v = std * rng.nextGaussian();
            } while (v < lo || v > hi);
            t.storage().set(i, v);
        }
        return t;
    }

    /** timm's Linear init in a ViT: weight ~ trunc_normal(std 0.02), bias 0. */
    public static void vitLinear(Linear linear, Rng rng) {
        Tensor w = linear.weight();
        Tensor fresh = truncatedNormal(rng, 0.02, -2, 2, w.dtype(), w.device(), w.shape());
        copyInto(fresh, w);
        if (linear.bias() != null) {
            copyInto(Tensor.zeros(w.dtype(), w.device(), linear.bias().shape()), linear.bias());
        }
    }

    /** Overwrites a parameter's values in place (not recorded by autograd). */
    public static void copyInto(Tensor src, Tensor dst) {
        if (!dst.device().onHeap()) {
            if (dst.isContiguous() && dst.offset() == 0 && dst.storage() instanceof DeviceStorage ds && ds.size() == dst.numel()) {
                ds.write(src.toFloatArray()); // one transfer, straight into place
            } else { // one transfer and one copy on the device
                Backends.of(dst).copy(src.to(dst.device()).detach().reshape(dst.shape()), dst);
            }
            return;
        }
        double[] values = src.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            dst.storage().set(dst.offset() + i, values[i]);
        }
    }
}
