package dev.kora4j.cli;

import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Device;
import picocli.CommandLine.Option;

/** `--device cpu|cuda` of the pipeline commands. */
final class DeviceMixin {
    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu (default) or cuda (the first GPU; with KORA_CUDA_EMULATOR=1 the CPU stand-in).") String device;

    /** The device asked for, started now: a UserError with one line saying why when it cannot be used. */
    Device device() {
        return start(device);
    }

    /** {@code --device NAME} (cpu or cuda), its backend started: a UserError with one line when it cannot be used. */
    static Device start(String name) {
        if (!name.equals("cpu") && !name.equals("cuda")) {
            throw new UserError("--device must be cpu or cuda, got " + name);
        }
        Device d = Device.parse(name);
        try {
            Backends.of(d);
        } catch (IllegalStateException e) {
            throw new UserError("--device " + name + ": " + e.getMessage());
        }
        return d;
    }
}
