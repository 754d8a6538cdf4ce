package dev.kora4j.backend;

import dev.kora4j.backend.cpu.CpuBackend;
import dev.kora4j.backend.cuda.CudaBackend;
import dev.kora4j.backend.cuda.JCudaCheck;
import dev.kora4j.backend.reference.ReferenceBackend;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;

/** The backend that computes on a device. */
public final class Backends {
    private static final Backend REFERENCE = new ReferenceBackend();
    private static final Backend CPU = new CpuBackend();

    private Backends() {}

    public static Backend of(Device device) {
        return switch (device) {
            case REFERENCE -> REFERENCE;
            case CPU -> CPU;
            case CUDA -> { // made on first use; a clear one-line error when there is no device, or no JCuda
                JCudaCheck.requirePresent();
                yield CudaBackend.get();
            }
        };
    }

    /**
     * The backend that computes on a tensor: its device's, except that F64 on the cpu (gradchecks)
     * runs on the reference loops, decided here once for every op.
     */
    public static Backend of(Tensor t) {
        return t.dtype() == DType.F64 && t.device() == Device.CPU ? REFERENCE : of(t.device());
    }

    /** The backend for an op's inputs, which must all be on one device and of one dtype. */
    public static Backend of(String op, Tensor first, Tensor... rest) {
        for (Tensor t : rest) {
            if (t == null) {
                continue;
            }
            if (t.device() != first.device()) {
                throw new IllegalArgumentException(op + ": tensors on different devices (" + first.device() + " and " + t.device() + ")");
            }
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException(op + ": tensors of different dtypes (" + first.dtype() + " and " + t.dtype() + ")");
            }
        }
        return of(first);
    }
}
