package dev.kora4j.backend.cuda;

import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by CudaBuildTest: a small cpu computation (tensors, a product, softmax,
 * backward), then exit status 3 if any JCuda native library is mapped into this process, else 0.
 */
public final class CpuOnlyProbe {
    private CpuOnlyProbe() {}

    public static void main(String[] args) throws Exception {
        Rng rng = new Rng(1);
        Tensor a = Tensor.randn(rng, 8, 16).requiresGrad(true);
        Tensor b = Tensor.randn(rng, 16, 4);
        a.matmul(b).softmax(-1).sum().backward();
        Backends.of(Device.CPU);
        Device.parse("cuda"); // naming the device loads nothing
        String maps = Files.readString(Path.of("/proc/self/maps"));
        boolean loaded = maps.contains("JCuda") || maps.contains("JCublas");
        System.out.println(loaded ? "JCuda natives are loaded" : "no JCuda natives");
        System.exit(loaded ? 3 : 0);
    }
}
