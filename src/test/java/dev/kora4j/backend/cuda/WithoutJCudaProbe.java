package dev.kora4j.backend.cuda;

import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;

/** Run by CudaBuildTest in a JVM whose class path lacks JCuda: prints what asking for cuda says. */
public final class WithoutJCudaProbe {
    private WithoutJCudaProbe() {}

    public static void main(String[] args) {
        for (Runnable attempt : new Runnable[] {() -> Backends.of(Device.CUDA), () -> Tensor.zeros(DType.F32, Device.CUDA, 3)}) {
            try {
                attempt.run();
                System.out.println("no error");
            } catch (RuntimeException | Error e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
