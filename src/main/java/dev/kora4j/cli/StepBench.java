package dev.kora4j.cli;

import com.sun.management.ThreadMXBean;
import dev.kora4j.autograd.GradMode;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.cpu.CpuTuning;
import dev.kora4j.backend.cpu.Gemm;
import dev.kora4j.backend.cpu.GemmProfile;
import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.backend.cuda.CudaBackend;
import dev.kora4j.io.JsonFile;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.optim.AdamW;
import dev.kora4j.peft.AdapterConfig;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kora bench step`: whole training steps (or forward passes) of a ViT on random images and labels,
 * with AdamW over what trains: images/s and ms per step (medians), peak RSS, and the bytes allocated
 * per step.
 */
@Command(name = "step", description = "Whole training steps of a ViT: images/s, ms per step, peak RSS, allocation per step.")
final class StepBench implements Runnable {
    @Option(names = "--model", required = true, description = "timm hub config.json (or an architecture name).") String model;
    @Option(names = "--mode", required = true, description = "infer, full, lora, dora (LoRA with use_dora) or kora.") String mode;
    @Option(names = "--rank", defaultValue = "8", description = "LoRA/KoRA rank r; alpha = r (default ${DEFAULT-VALUE}).") int rank;
    @Option(names = "--dcomp", defaultValue = "4", description = "KoRA composition width (default ${DEFAULT-VALUE}).") int dcomp;
    @Option(names = "--batch", required = true, description = "Images per step.") int batch;
    @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) or cuda (timed by CUDA events).") String device;

    @Override
    public void run() {
        if (batch < 1 || steps < 1 || warmup < 0 || rank < 1 || dcomp < 1) {
            throw new UserError("--batch, --steps, --rank and --dcomp must be positive, --warmup not negative");
        }
        BenchClock clock = BenchClock.forDevice(device); // cuda: GPU time by CUDA events; cpu: wall time
        Device d = Device.parse(device);
        Main.applyThreads(threads);
        ViTConfig config = Files.exists(Path.of(model)) ? ViTConfigs.read(Path.of(model)) : ViTConfigs.named(model);
        PeftModel net = build(config, d);
        Rng rng = new Rng(11);
        Tensor images = Tensor.randn(rng, batch, config.inChans(), config.imgSize(), config.imgSize()).to(d).detach();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(config.numClasses());
        }
        AdamW optimizer = mode.equals("infer") ? null : new AdamW(new ArrayList<>(net.trainable().values()), 1e-4);
        net.train(optimizer != null);

        ThreadMXBean threadsBean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        double[] ms = new double[steps];
        long allocated = 0, flops0 = 0, jit0 = 0;
        dev.kora4j.tensor.BufferPool pool = new dev.kora4j.tensor.BufferPool();
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) {
                dev.kora4j.autograd.Profile.reset();
                GemmProfile.reset();
                flops0 = Gemm.flops();
                jit0 = jitMillis();
            }
            long bytes0 = threadsBean.getTotalThreadAllocatedBytes();
            clock.start();
            try (var pooled = pool.step()) {
                step(net, optimizer, images, labels);
            }
            double elapsed = clock.stopMillis();
            if (i >= warmup) {
                ms[i - warmup] = elapsed;
                allocated += threadsBean.getTotalThreadAllocatedBytes() - bytes0;
            }
        }
        double median = BenchCommand.median(ms);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "step");
        out.put("model", config.architecture());
        out.put("img_size", config.imgSize());
        out.put("patch_size", config.patchSize());
        out.put("mode", mode);
        out.put("batch", batch);
        out.put("threads", Parallel.threads());
        BenchClock.describeInto(out, device);
        out.put("images_per_second", round(batch / (median / 1000)));
        out.put("ms_per_step", round(median));
        out.put("peak_rss_mb", round(peakRssMb()));
        out.put("alloc_mb_per_step", round(allocated / 1e6 / steps));
        // the JIT still compiling while steps are timed: its threads share the cores with the steps
        out.put("jit_ms_while_timed", jitMillis() - jit0);
        if (d == Device.CPU) { // the GEMMs' operations (the step's bulk) per second, against this machine's FMA peak
            double gflopPerStep = (Gemm.flops() - flops0) / (double) steps / 1e9;
            double gflops = gflopPerStep / (median / 1000);
            double peak = CpuTuning.peakGflops();
            out.put("gemm_gflop_per_step", round(gflopPerStep));
            out.put("gflops", round(gflops));
            out.put("peak_gflops", round(peak));
            out.put("fraction_of_peak", round(gflops / peak));
        }
        if (Backends.of(d) instanceof CudaBackend cuda) {
            out.put("peak_device_mb", round(cuda.memoryPeak() / 1048576.0));
        }
        BenchCommand.printJson(out);
        if (dev.kora4j.autograd.Profile.ENABLED) {
            System.err.print(dev.kora4j.autograd.Profile.table(steps));
            if (d == Device.CPU) {
                System.err.print(GemmProfile.table(steps));
            }
        }
    }

    /** The JIT compilers' accumulated time so far (0 where the JVM does not measure it). */
    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private PeftModel build(ViTConfig config, Device d) {
        VisionTransformer vit = new VisionTransformer(config, new Rng(0), DType.F32, d);
        // the blocks' Linears (a bare "proj" would also select the patch embedding's Conv2d, as in PEFT)
        String targets = "\"target_modules\": [\"attn.qkv\", \"attn.proj\", \"mlp.fc1\", \"mlp.fc2\"]";
        String common = "\"r\": " + rank + ", \"lora_alpha\": " + rank + ", \"modules_to_save\": [\"head\"], ";
        return switch (mode) {
            case "infer", "full" -> PeftModel.fullFineTuning(vit);
            case "lora" -> PeftModel.inject(vit, adapter("{\"peft_type\": \"LORA\", " + common + targets + "}"), new Rng(1));
            case "dora" -> PeftModel.inject(vit, adapter("{\"peft_type\": \"LORA\", \"use_dora\": true, " + common + targets + "}"),
                    new Rng(1));
            case "kora" -> PeftModel.inject(vit, adapter("{\"peft_type\": \"KORA\", " + common + "\"target_modules\": [\"qkv\"], "
                    + "\"composition_dim\": " + dcomp + ", \"lora_targets\": [\"proj\", \"fc1\", \"fc2\"]}"), new Rng(1));
            default -> throw new UserError("--mode must be infer, full, lora, dora or kora, got '" + mode + "'");
        };
    }

    private static AdapterConfig adapter(String json) {
        return AdapterConfig.parse(JsonFile.parse("bench adapter", json));
    }

    private static void step(PeftModel net, AdamW optimizer, Tensor images, int[] labels) {
        dev.kora4j.autograd.Profile.mark();
        if (optimizer == null) {
            try (var scope = GradMode.noGrad()) {
                net.forward(images);
            }
            return;
        }
        optimizer.zeroGrad();
        Tensor loss = CrossEntropy.crossEntropy(net.forward(images), labels);
        loss.backward();
        optimizer.step();
    }

    /** VmHWM of /proc/self/status (Linux), in MB; 0 where it cannot be read. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.2f", v));
    }
}
