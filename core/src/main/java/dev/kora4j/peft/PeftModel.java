package dev.kora4j.peft;

import dev.kora4j.io.InputException;
import dev.kora4j.nn.Block;
import dev.kora4j.nn.Linear;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A ViT prepared for one way of training: full fine-tuning, a linear probe, or an adapter from an
 * {@link AdapterConfig} (LoRA, KoRA, the seed's KoRA). It knows which tensors train and what an
 * adapter file holds, under PEFT's names (base_model.model.&lt;module path&gt;).
 */
public final class PeftModel {
    public static final String PREFIX = "base_model.model.";

    private final VisionTransformer vit;
    private final AdapterConfig config;
    private final KoraSeed seed;
    /** Adapter tensors by file name, in module order (LoRA/KoRA parameters, seed network, saved head). */
    private final Map<String, Tensor> adapterTensors = new LinkedHashMap<>();
    /** Where each LoRA or DoRA adapter takes its dropout generator. */
    private final List<java.util.function.Consumer<Rng>> dropoutRngs = new java.util.ArrayList<>();
    private boolean headOnly;

    private PeftModel(VisionTransformer vit, AdapterConfig config, KoraSeed seed) {
        this.vit = vit;
        this.config = config;
        this.seed = seed;
    }

    /** Every backbone parameter trains. */
    public static PeftModel fullFineTuning(VisionTransformer vit) {
        vit.requiresGrad(true);
        return new PeftModel(vit, AdapterConfig.of(PeftType.FULL), null);
    }

    /** Only the head trains. */
    public static PeftModel linearProbe(VisionTransformer vit) {
        vit.requiresGrad(false);
        vit.head().requiresGrad(true);
        return new PeftModel(vit, AdapterConfig.of(PeftType.LINEAR_PROBE), null);
    }

    /** The model a config describes: full fine-tuning, a linear probe, or an adapter. */
    public static PeftModel of(VisionTransformer vit, AdapterConfig config, Rng rng) {
        return of(vit, config, rng, "adapter config");
    }

    /** As {@link #of(VisionTransformer, AdapterConfig, Rng)}; errors about the config name {@code source} (its file). */
    public static PeftModel of(VisionTransformer vit, AdapterConfig config, Rng rng, String source) {
        return switch (config.type()) {
            case FULL -> fullFineTuning(vit);
            case LINEAR_PROBE -> linearProbe(vit);
            default -> inject(vit, config, rng, source);
        };
    }

    /** Freezes the backbone and adds the adapter the config describes (fresh, PEFT's initialisation). */
    public static PeftModel inject(VisionTransformer vit, AdapterConfig config, Rng rng) {
        return inject(vit, config, rng, "adapter config");
    }

    /** As {@link #inject(VisionTransformer, AdapterConfig, Rng)}; errors about the config name {@code source} (its file). */
    public static PeftModel inject(VisionTransformer vit, AdapterConfig config, Rng rng, String source) {
        if (!config.type().hasAdapter()) {
            throw new IllegalArgumentException(config.type() + " adds no adapter; use PeftModel.of");
        }
        vit.requiresGrad(false);
        KoraSeed seed = config.type() == PeftType.KORA_SEED ? new KoraSeed(vit, config, rng) : null;
        PeftModel model = new PeftModel(vit, config, seed);
        if (seed == null) {
            model.attachAdapters(rng, source);
        } else {
            seed.namedParameters().forEach((name, t) -> model.adapterTensors.put(PREFIX + "kora_seed." + name, t));
        }
        if (config.savesHead()) {
            vit.head().requiresGrad(true);
        }
        model.refreshHeadEntries();
        return model;
    }

    private void attachAdapters(Rng rng, String source) {
        int matched = config.type() == PeftType.LORA ? attachLora(rng, source) : attachKora(rng, source);
        if (matched == 0) {
            throw new InputException(source + ": target_modules " + (config.targets() == null ? AdapterConfig.ALL_LINEAR : config.targets())
                    + " match no module of the model");
        }
        vit.namedParameters().forEach((name, t) -> {
            if (name.contains(".lora_A.") || name.contains(".lora_B.") || name.endsWith(".lora_magnitude_vector") || name.contains(".kora_")) {
                adapterTensors.put(PREFIX + name, t);
            }
        });
    }

    /**
     * LoRA or DoRA on every module PEFT's rule selects ({@link TargetRule}), each with its rank and
     * scaling (rank_pattern, alpha_pattern): the blocks' Linears, the head, and the patch embedding's
     * Conv2d. A selected module of another kind is refused, as PEFT refuses it.
     */
    private int attachLora(Rng rng, String source) {
        int matched = 0;
        for (TimmModules.Entry m : TimmModules.of(vit)) {
            if (!config.rule().selects(m.name(), m.linear())) {
                continue;
            }
            if (!m.linear() && !m.conv()) {
                throw new InputException(source + ": the target modules select " + (m.name().isEmpty() ? "the whole model" : m.name())
                        + ", a " + m.type() + "; LoRA goes on Linear and Conv2d layers (PEFT refuses this config too)");
            }
            attachLoraOrDora(m, rng);
            matched++;
        }
        return matched;
    }

    /** LoRA, or DoRA with use_dora, on the module {@code m} (a Linear, or the patch embedding's Conv2d). */
    private void attachLoraOrDora(TimmModules.Entry m, Rng rng) {
        int r = config.rankOf(m.name());
        double s = config.scalingOf(m.name());
        Tensor weight = m.conv() ? vit.patchEmbed.weight() : linear(m.name()).weight();
        if (config.useDora()) {
            DoraAdapter dora = new DoraAdapter(weight, r, s, config.loraDropout(), rng);
            dropoutRngs.add(dora::setDropoutRng);
            attach(m, dora);
        } else {
            LoraAdapter lora = new LoraAdapter(weight, r, s, config.loraDropout(), rng);
            dropoutRngs.add(lora::setDropoutRng);
            attach(m, lora);
        }
    }

    private <A extends dev.kora4j.nn.Module & dev.kora4j.nn.LinearAdapter> void attach(TimmModules.Entry m, A adapter) {
        if (m.conv()) {
            vit.patchEmbed.attach(adapter);
        } else {
            linear(m.name()).attach(adapter);
        }
    }

    /** The Linear timm names {@code name} (a block's qkv, proj, fc1 or fc2, or the head). */
    private Linear linear(String name) {
        if (name.equals("head")) {
            return vit.head();
        }
        String[] parts = name.split("\\.");
        Block block = vit.blocks.get(Integer.parseInt(parts[1]));
        return switch (parts[2] + "." + parts[3]) {
            case "attn.qkv" -> block.attn.qkv;
            case "attn.proj" -> block.attn.proj;
            case "mlp.fc1" -> block.mlp.fc1;
            case "mlp.fc2" -> block.mlp.fc2;
            default -> throw new IllegalArgumentException("no Linear named " + name);
        };
    }

    /** KoRA on the qkv Linears target_modules names, and LoRA on the blocks' Linears lora_targets names. */
    private int attachKora(Rng rng, String source) {
        int matched = 0;
        for (int i = 0; i < vit.blocks.size(); i++) {
            for (String part : List.of("attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2")) {
                String name = "blocks." + i + "." + part;
                Linear linear = linear(name);
                boolean kora = config.targets().matches(name), lora = config.loraTargets().matches(name);
                if (kora && !part.equals("attn.qkv")) {
                    throw new InputException(source + ": target_modules of KORA may only name attention qkv modules, but it matches " + name);
                }
                if (kora && lora) {
                    throw new InputException(source + ": " + name + " is in both target_modules and lora_targets");
                }
                if (kora) {
                    linear.attach(new KoraAdapter(linear, config.r(), config.compositionDim(), config.scaling(), rng));
                } else if (lora) {
                    LoraAdapter adapter = new LoraAdapter(linear.weight(), config.r(), config.scaling(), config.loraDropout(), rng);
                    linear.attach(adapter);
                    dropoutRngs.add(adapter::setDropoutRng);
                }
                if (kora || lora) {
                    matched++;
                }
            }
        }
        return matched;
    }

    /**
     * Puts a new head on the model and makes it the only thing that trains (transfer: a linear probe on
     * the adapted backbone). The adapter stays as trained.
     */
    public void retrainHeadOnly(dev.kora4j.nn.Linear newHead) {
        vit.requiresGrad(false);
        if (seed != null) {
            seed.requiresGrad(false);
        }
        vit.setHead(newHead);
        newHead.requiresGrad(true);
        headOnly = true;
    }

    /** The head's entries follow the current head (it can be replaced when an adapter file is loaded). */
    private void refreshHeadEntries() {
        if (config.type().hasAdapter() && config.savesHead()) {
            adapterTensors.put(PREFIX + "head.weight", vit.head().weight());
            adapterTensors.put(PREFIX + "head.bias", vit.head().bias());
        }
    }

    public Tensor forward(Tensor images) {
        return seed != null ? seed.forward(vit, images) : vit.forward(images);
    }

    public VisionTransformer vit() {
        return vit;
    }

    public AdapterConfig config() {
        return config;
    }

    /** Training (dropout on) or evaluation. */
    public void train(boolean on) {
        vit.train(on);
        if (seed != null) {
            seed.train(on);
        }
    }

    /** The generator of LoRA dropout masks. */
    public void setDropoutRng(Rng rng) {
        dropoutRngs.forEach(d -> d.accept(rng));
    }

    /** Every parameter of the model: the backbone with its adapters, and the seed's side network. */
    public List<Tensor> allParameters() {
        List<Tensor> all = new java.util.ArrayList<>(vit.parameters());
        if (seed != null) {
            all.addAll(seed.parameters());
        }
        return all;
    }

    /** What an adapter file holds, by name: every adapter tensor (trainable or not) and a saved head. */
    public Map<String, Tensor> adapterTensors() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(adapterTensors));
    }

    /** The tensors that train, under the names their gradients carry (adapter-file names, or backbone names without an adapter). */
    public Map<String, Tensor> trainable() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (headOnly) {
            out.put("head.weight", vit.head().weight());
            out.put("head.bias", vit.head().bias());
        } else if (config.type().hasAdapter()) {
            adapterTensors.forEach((name, t) -> {
                if (t.requiresGrad()) {
                    out.put(name, t);
                }
            });
        } else {
            out.putAll(vit.trainableParameters());
        }
        return out;
    }

    /**
     * Loads an adapter file's tensors: names and shapes must match this model's adapter, except that a
     * LoRA or DoRA module the file holds nothing for keeps its fresh adapter (B = 0: it changes
     * nothing), as PEFT loads such a file, with a warning; those warnings are returned. A saved head
     * replaces the backbone's (and may have another number of classes than the backbone's).
     */
    public List<String> loadAdapter(Map<String, Tensor> state, String source) {
        if (!config.type().hasAdapter()) {
            throw new IllegalStateException("only an adapter model loads adapter files");
        }
        Tensor headW = state.get(PREFIX + "head.weight"), headB = state.get(PREFIX + "head.bias");
        if (config.savesHead() && headW != null && headB != null && headW.rank() == 2 && headB.rank() == 1
                && headW.size(0) == headB.size(0) && headW.size(1) == vit.config().embedDim()
                && headW.size(0) != vit.head().outFeatures()) {
            vit.setHead(vit.newHead(headW.size(0), new Rng(0)));
            vit.head().requiresGrad(true);
            refreshHeadEntries();
        }
        TreeSet<String> missing = new TreeSet<>(adapterTensors.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(adapterTensors.keySet());
        java.util.SortedSet<String> absentModules = absentLoraModules(missing);
        missing.removeIf(name -> loraModule(name) != null && absentModules.contains(loraModule(name)));
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new InputException(source + ": does not match the adapter config"
                    + (missing.isEmpty() ? "" : "; missing " + abbreviate(missing))
                    + (unexpected.isEmpty() ? "" : "; unexpected " + abbreviate(unexpected)));
        }
        adapterTensors.forEach((name, t) -> {
            Tensor value = state.get(name);
            if (value == null) {
                return; // a module the file leaves out keeps its fresh adapter
            }
            if (!Arrays.equals(value.shape(), t.shape())) {
                throw new InputException(source + ": " + name + " has shape " + Shape.format(value.shape())
                        + " but the model expects " + Shape.format(t.shape()));
            }
            dev.kora4j.nn.Init.copyInto(value, t);
        });
        return absentModules.stream().map(m -> source + ": holds no tensors for " + m + ", which the config's target modules select; "
                + "it keeps a fresh adapter (B = 0), which changes nothing, as PEFT loads such a file (with a warning)").toList();
    }

    /** The LoRA or DoRA modules (by timm name) none of whose tensors are in {@code missing}'s complement. */
    private java.util.SortedSet<String> absentLoraModules(java.util.Set<String> missing) {
        java.util.SortedSet<String> modules = new TreeSet<>();
        adapterTensors.keySet().stream().map(PeftModel::loraModule).filter(java.util.Objects::nonNull).forEach(modules::add);
        modules.removeIf(m -> adapterTensors.keySet().stream().anyMatch(name -> m.equals(loraModule(name)) && !missing.contains(name)));
        return modules;
    }

    /** The module a LoRA or DoRA tensor belongs to ("blocks.0.attn.qkv"), or null for another tensor. */
    private static String loraModule(String name) {
        for (String suffix : List.of(".lora_A.weight", ".lora_B.weight", ".lora_magnitude_vector")) {
            if (name.startsWith(PREFIX) && name.endsWith(suffix)) {
                return name.substring(PREFIX.length(), name.length() - suffix.length());
            }
        }
        return null;
    }

    static String abbreviate(java.util.SortedSet<String> names) {
        List<String> list = List.copyOf(names);
        return list.size() <= 6 ? String.join(", ", list) : String.join(", ", list.subList(0, 6)) + " and " + (list.size() - 6) + " more";
    }
}
