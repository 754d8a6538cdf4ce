package dev.kora4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.AtomicWrite;
import dev.kora4j.io.InputException;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.nn.Init;
import dev.kora4j.optim.AdamW;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The state a run resumes from: trainable tensors, AdamW's moments and step counts, and where the
 * run stands (a JSON object the trainer fills). One safetensors file, written whole or not at all,
 * carrying a CRC-32C of every value; the previous checkpoint is kept beside it, so that a corrupted
 * latest one falls back to the one before.
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.safetensors";
    public static final String PREVIOUS = "checkpoint.prev.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    /** What a checkpoint restores, and why newer checkpoints were passed over (empty when none was). */
    public record Loaded(Path file, ObjectNode progress, List<String> skipped) {}

    /** Writes the checkpoint, keeping the one it replaces as the previous. */
    public static void save(Path runDir, Map<String, Tensor> trainable, AdamW optimizer, ObjectNode progress) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ObjectNode steps = JSON.createObjectNode();
        trainable.forEach((name, p) -> {
            tensors.put("param." + name, p);
            AdamW.State s = optimizer.stateOf(p);
            if (s != null) {
                tensors.put("adam_m." + name, Tensor.of(s.m, p.shape()));
                tensors.put("adam_v." + name, Tensor.of(s.v, p.shape()));
                steps.put(name, s.step);
            }
        });
        ObjectNode state = progress.deepCopy();
        state.set("adam_steps", steps);
        Map<String, String> metadata = Map.of("kora_checkpoint", "1", "state", state.toString(), "crc32c", checksum(tensors));
        try {
            Path latest = runDir.resolve(FILE);
            if (Files.exists(latest)) {
                Files.move(latest, runDir.resolve(PREVIOUS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the previous checkpoint in " + runDir, e);
        }
        Safetensors.write(runDir.resolve(FILE), tensors, metadata);
    }

    /**
     * Restores tensors and optimizer state from the latest valid checkpoint of a run (the previous one
     * if the latest is damaged); null when the run has none.
     */
    public static Loaded load(Path runDir, Map<String, Tensor> trainable, AdamW optimizer) {
        // A run killed while writing a checkpoint leaves the temporary file behind (the checkpoint
        // itself is whole: the old one, as the rename never happened).
        AtomicWrite.deleteLeftovers(runDir.resolve(FILE));
        InputException latestProblem = null;
        List<String> skipped = new ArrayList<>();
        for (String name : new String[] {FILE, PREVIOUS}) {
            Path file = runDir.resolve(name);
            if (!Files.exists(file)) {
                continue;
            }
            try {
                return new Loaded(file, restore(file, trainable, optimizer), skipped);
            } catch (InputException e) {
                latestProblem = latestProblem == null ? e : latestProblem;
                skipped.add(e.getMessage());
            }
        }
        if (latestProblem != null) {
            throw new InputException(runDir + ": no usable checkpoint (" + latestProblem.getMessage() + ")");
        }
        return null;
    }

    private static ObjectNode restore(Path file, Map<String, Tensor> trainable, AdamW optimizer) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ObjectNode state;
        String crc;
        try (SafetensorsFile f = Safetensors.open(file)) {
            if (!"1".equals(f.metadata().get("kora_checkpoint"))) {
                throw new InputException(file + ": not a kora4j checkpoint");
            }
            for (String name : f.names()) {
                tensors.put(name, f.tensor(name));
            }
            crc = f.metadata().get("crc32c");
            try {
                JsonNode parsed = JSON.readTree(String.valueOf(f.metadata().get("state")));
                if (!(parsed instanceof ObjectNode object)) {
                    throw new InputException(file + ": its state is not a JSON object");
                }
                state = object;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InputException(file + ": its state is not valid JSON");
            }
        }
        if (!checksum(tensors).equals(crc)) {
            throw new InputException(file + ": checksum mismatch (the file is damaged)");
        }
        // check everything before changing anything
        for (var e : trainable.entrySet()) {
            Tensor value = tensors.get("param." + e.getKey());
            if (value == null || !Arrays.equals(value.shape(), e.getValue().shape())) {
                throw new InputException(file + ": " + e.getKey() + " is missing or has another shape than the model's"
                        + (e.getKey().contains("patch_embed.proj.lora_") ? patchEmbedHint() : ""));
            }
        }
        JsonNode steps = state.path("adam_steps");
        for (var e : trainable.entrySet()) {
            Init.copyInto(tensors.get("param." + e.getKey()), e.getValue());
            Tensor m = tensors.get("adam_m." + e.getKey()), v = tensors.get("adam_v." + e.getKey());
            if (m != null && v != null && steps.has(e.getKey())) {
                optimizer.restoreState(e.getValue(), m.toFloatArray(), v.toFloatArray(), steps.get(e.getKey()).asLong());
            }
        }
        state.remove("adam_steps");
        return state;
    }

    /** CRC-32C over names and values, in name order (independent of the file's layout). */
    static String checksum(Map<String, Tensor> tensors) {
        CRC32C crc = new CRC32C();
        tensors.keySet().stream().sorted().forEach(name -> {
            crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * tensors.get(name).numel()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float v : tensors.get(name).toFloatArray()) {
                bytes.putFloat(v);
            }
            crc.update(bytes.flip());
        });
        return Long.toHexString(crc.getValue());
    }

    /** Why a run's checkpoint can lack the patch embedding's LoRA: it was written before kora4j followed PEFT's rule. */
    private static String patchEmbedHint() {
        return " (a bare target \"proj\" now selects the patch embedding's Conv2d too, as in PEFT; this run was trained when it"
                + " did not: name the blocks' modules, e.g. [\"attn.qkv\", \"attn.proj\", \"mlp.fc1\", \"mlp.fc2\"], to train it again)";
    }
}
