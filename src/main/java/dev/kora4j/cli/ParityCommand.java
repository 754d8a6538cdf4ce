package dev.kora4j.cli;

import dev.kora4j.backend.Backends;
import dev.kora4j.io.Safetensors;
import dev.kora4j.parity.Parity;
import dev.kora4j.tensor.Device;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kora parity`: one forward and backward on given weights and batch; every output and gradient to a safetensors file. */
@Command(name = "parity", description = "One forward and backward on given weights and batch; writes logits, loss and every gradient.")
final class ParityCommand implements Runnable {
    @Option(names = "--model", required = true, description = "timm hub config.json.") Path model;
    @Option(names = "--weights", required = true, description = "Backbone state dict (safetensors, timm names).") Path weights;
    @Option(names = "--adapter-config", description = "adapter_config.json (with --adapter).") Path adapterConfig;
    @Option(names = "--adapter", description = "Adapter tensors (safetensors, PEFT names).") Path adapter;
    @Option(names = "--batch", required = true, description = "images F32 [B,3,H,W] and labels I64 [B] (safetensors).") Path batch;
    @Option(names = "--out", required = true, description = "Output safetensors file (written whole or not at all).") Path out;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), reference or cuda.") String device;
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;

    @Override
    public void run() {
        Main.applyThreads(threads);
        Device d;
        try {
            d = Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw new UserError("--device: " + e.getMessage());
        }
        try {
            Backends.of(d); // cuda: starts the device now, or stops here with one line saying why it cannot
        } catch (IllegalStateException e) {
            throw new UserError("--device " + device + ": " + e.getMessage());
        }
        Map<String, dev.kora4j.tensor.Tensor> outputs = Parity.run(new Parity.Inputs(model, weights, adapterConfig, adapter, batch), d);
        Safetensors.write(out, outputs, Map.of("format", "pt"));
        System.err.println("parity: wrote " + outputs.size() + " tensors to " + out);
    }
}
