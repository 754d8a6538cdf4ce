package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.backend.cuda.CudaBackend;
import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.report.RunResult;
import dev.kora4j.tensor.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The research pipeline on --device cuda: training gives the cpu's losses step by step, a run
 * stopped and resumed on cuda gives the uninterrupted run's bits, and a checkpoint moves between
 * devices. TinyTask's small model keeps this quick on the CUDA stand-in.
 */
@Tag("gpu")
class CudaTrainingTest {
    @TempDir
    Path tmp;
    private DataSpec data;
    private Path model, weights;
    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    /** 320 images in batches of 16: 20 steps, warm-up, clipping, a checkpoint every 4 steps. */
    private final TrainOptions options = new TrainOptions(1, 16, 3e-3, 0.01, 2, 0, 1.0, 0, 5, 4, 0, true);

    @BeforeEach
    void setUp() throws Exception {
        CudaSupport.assumeCuda();
        data = DataSpec.parse("idx:" + TinyTask.data(tmp, 320, 64));
        model = TinyTask.modelConfig(tmp);
        weights = TinyTask.backbone(tmp);
    }

    /** Records each step's loss; throws after the first checkpoint at or past {@code stopAfter} (0: never). */
    private record Steps(List<Double> losses, long stopAfter) implements Trainer.Listener {
        @Override
        public void stepped(long step, double loss) {
            losses.add(loss);
        }

        @Override
        public void checkpointed(long step) {
            if (stopAfter > 0 && step >= stopAfter) {
                throw new IllegalStateException("stopped after the checkpoint at step " + step);
            }
        }
    }

    private SourceRun.Request request(String adapterJson, String folder, boolean resume, Device device) throws Exception {
        Path adapter = TinyTask.adapter(tmp, "adapter-" + adapterJson.hashCode(), adapterJson);
        return new SourceRun.Request(model, weights, adapter, data, Protocol.CORRECTED, options, tmp.resolve(folder), resume, device);
    }

    /** KoRA, LoRA, and LoRA with dropout (whose masks every backend draws alike). */
    static Stream<String> adapters() {
        return Stream.of(TinyTask.KORA, TinyTask.LORA, TinyTask.LORA.replace("\"r\": 4,", "\"r\": 4, \"lora_dropout\": 0.2,"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void cudaTrainsAsTheCpuDoes(String adapter) throws Exception {
        Steps onCpu = new Steps(new ArrayList<>(), 0), onCuda = new Steps(new ArrayList<>(), 0);
        RunResult cpu = SourceRun.run(request(adapter, "cpu", false, Device.CPU), quiet, onCpu);
        RunResult cuda = SourceRun.run(request(adapter, "cuda", false, Device.CUDA), quiet, onCuda);
        assertEquals(20, onCuda.losses().size());
        for (int i = 0; i < 20; i++) {
            double want = onCpu.losses().get(i), got = onCuda.losses().get(i);
            assertEquals(want, got, 1e-4 * Math.abs(want), "loss of step " + (i + 1));
        }
        // The device's kernels add in other orders than the cpu's: identical bits would mean it never computed.
        assertTrue(!onCpu.losses().equals(onCuda.losses()), "the cuda run gave the cpu's exact losses: did it run on the device?");
        assertEquals(cpu.evaluation().accuracy(), cuda.evaluation().accuracy(), 1e-3, "accuracy");
        assertEquals(cpu.evaluation().loss(), cuda.evaluation().loss(), 1e-4 * cpu.evaluation().loss(), "evaluation loss");

        TrainOptions head = new TrainOptions(2, 8, 3e-3, 0.01, 0, 0, 0, 0, 5, 0, 0, true);
        RunResult cpuTransfer = TransferRun.run(new TransferRun.Request(tmp.resolve("cpu"), data, 4, Protocol.CORRECTED, head,
                tmp.resolve("cpu-t"), false, Device.CPU), quiet);
        RunResult cudaTransfer = TransferRun.run(new TransferRun.Request(tmp.resolve("cuda"), data, 4, Protocol.CORRECTED, head,
                tmp.resolve("cuda-t"), false, Device.CUDA), quiet);
        assertEquals(cpuTransfer.evaluation().accuracy(), cudaTransfer.evaluation().accuracy(), 1e-3, "transfer accuracy");
    }

    @Test
    void aRunStoppedAndResumedOnCudaGivesTheUninterruptedBits() throws Exception {
        RunResult whole = SourceRun.run(request(TinyTask.KORA, "whole", false, Device.CUDA), quiet);
        SourceRun.Request resumable = request(TinyTask.KORA, "stopped", true, Device.CUDA);
        assertThrows(IllegalStateException.class, () -> SourceRun.run(resumable, quiet, new Steps(new ArrayList<>(), 8)));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunResult resumed = SourceRun.run(resumable, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming from checkpoint.safetensors: epoch 1, batch 8, step 8"), log.toString());
        assertEquals(whole.evaluation(), resumed.evaluation());
        assertEquals(whole.epochs().getLast().trainLoss(), resumed.epochs().getLast().trainLoss());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("whole/adapter/adapter_model.safetensors")),
                Files.readAllBytes(tmp.resolve("stopped/adapter/adapter_model.safetensors")), "adapter bytes");
    }

    /** A checkpoint written on one device resumes on the other; the run ends as the one-device runs do (to float rounding). */
    @Test
    void aCheckpointMovesBetweenDevices() throws Exception {
        RunResult cpu = SourceRun.run(request(TinyTask.KORA, "cpu-only", false, Device.CPU), quiet);
        Device[][] moves = {{Device.CUDA, Device.CPU}, {Device.CPU, Device.CUDA}};
        for (Device[] move : moves) {
            String folder = move[0] + "-then-" + move[1];
            assertThrows(IllegalStateException.class,
                    () -> SourceRun.run(request(TinyTask.KORA, folder, true, move[0]), quiet, new Steps(new ArrayList<>(), 8)));
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            RunResult resumed = SourceRun.run(request(TinyTask.KORA, folder, true, move[1]), new PrintStream(log, true, StandardCharsets.UTF_8));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("step 8"), folder + ": " + log);
            double want = cpu.epochs().getLast().trainLoss();
            assertEquals(want, resumed.epochs().getLast().trainLoss(), 1e-4 * want, folder + ": train loss");
            assertEquals(cpu.evaluation().accuracy(), resumed.evaluation().accuracy(), 1e-3, folder + ": accuracy");
        }
    }

    /** Collects, and gives the cleaner time to give unreachable tensors' device memory back. */
    private static void collect() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * From step 2 on a step gives back all the device memory it took (the allocator's counters do not
     * move over 50 steps), and the only copies to the host are the losses, 16 steps' at a time.
     */
    @Test
    void stepsKeepDeviceMemoryFlatAndCopyOnlyTheirLossesToTheHost() throws Exception {
        data = DataSpec.parse("idx:" + TinyTask.data(tmp.resolve("long"), 416, 16)); // 52 steps of 8
        TrainOptions longer = new TrainOptions(1, 8, 3e-3, 0.01, 2, 0, 1.0, 0, 5, 0, 0, true);
        List<long[]> counters = new ArrayList<>();
        Trainer.Listener watch = new Trainer.Listener() {
            @Override
            public void stepped(long step, double loss) {
                if (step == 1) { // what building and loading the model left for the collector is not a step's memory
                    collect();
                }
                CudaBackend cuda = CudaBackend.get();
                counters.add(new long[] {cuda.memoryInUse(), cuda.memoryCached(), cuda.hostCopies()});
            }
        };
        Path adapter = TinyTask.adapter(tmp, "kora-long", TinyTask.KORA);
        SourceRun.run(new SourceRun.Request(model, weights, adapter, data, Protocol.CORRECTED, longer, tmp.resolve("long-run"), false,
                Device.CUDA), quiet, watch);
        assertEquals(52, counters.size());
        for (int step = 2; step < 52; step++) {
            long[] now = counters.get(step), second = counters.get(1);
            assertArrayEquals(new long[] {second[0], second[1]}, new long[] {now[0], now[1]},
                    "bytes in use and cached after step " + (step + 1) + " against step 2");
        }
        // the listener hears of a device's steps when their losses are read: after steps 16, 32, 48 and 52
        assertEquals(3, counters.get(51)[2] - counters.get(0)[2], "copies to the host after the first read of the losses");
        assertEquals(counters.get(0)[2], counters.get(15)[2], "steps 1-16 are heard of together, after one read");
    }

    /** A device reads its losses 16 steps at a time, yet a run that diverges stops naming the same step as on the cpu. */
    @Test
    void aDivergingRunStopsAtTheSameStepOnCuda() throws Exception {
        TrainOptions wild = new TrainOptions(1, 16, 1e30, 0.01, 0, 0, 0, 0, 5, 0, 0, true);
        String[] messages = new String[2];
        Device[] devices = {Device.CPU, Device.CUDA};
        for (int i = 0; i < 2; i++) {
            Path adapter = TinyTask.adapter(tmp, "lora-wild", TinyTask.LORA);
            SourceRun.Request r = new SourceRun.Request(model, weights, adapter, data, Protocol.CORRECTED, wild, tmp.resolve("wild-" + i),
                    false, devices[i]);
            messages[i] = assertThrows(TrainingFailure.class, () -> SourceRun.run(r, quiet)).getMessage();
        }
        String where = messages[0].substring(0, messages[0].indexOf(';'));
        assertTrue(where.matches("the loss is (NaN|Infinity|-Infinity) at step \\d+ \\(epoch 1, batch \\d+\\)"), where);
        assertEquals(where, messages[1].substring(0, messages[1].indexOf(';')));
    }
}
