package dev.kora4j.cli;

import dev.kora4j.backend.Backends;
import dev.kora4j.backend.cuda.CudaBackend;
import dev.kora4j.backend.cuda.CudaTimer;
import dev.kora4j.tensor.Device;

/** Times one benchmark repeat: wall time on the cpu, CUDA events on the GPU's stream. */
interface BenchClock {
    void start();

    double stopMillis();

    /** The clock for --device (cpu or cuda); a UserError saying why when that device cannot be used. */
    static BenchClock forDevice(String device) {
        return Backends.of(DeviceMixin.start(device)) instanceof CudaBackend cuda ? new Gpu(cuda.timer()) : new Wall();
    }

    /**
     * Adds "device" to a benchmark's JSON (cpu, or the GPU and its GEMM), and on the CUDA stand-in a
     * "timings" note that they mean nothing.
     */
    static void describeInto(java.util.Map<String, Object> out, String device) {
        if (Backends.of(Device.parse(device)) instanceof CudaBackend cuda) {
            out.put("device", cuda.describe());
            if (cuda.standIn()) {
                out.put("timings", "meaningless: the CUDA stand-in (KORA_CUDA_EMULATOR=1) ran the kernels on the CPU");
            }
        } else {
            out.put("device", device);
        }
    }

    final class Wall implements BenchClock {
        private long t0;

        @Override
        public void start() {
            t0 = System.nanoTime();
        }

        @Override
        public double stopMillis() {
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    record Gpu(CudaTimer timer) implements BenchClock {
        @Override
        public void start() {
            timer.start();
        }

        @Override
        public double stopMillis() {
            return timer.stopMillis();
        }
    }
}
