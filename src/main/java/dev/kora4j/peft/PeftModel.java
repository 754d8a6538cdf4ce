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
    private final List<LoraAdapter> loras = new java.util.ArrayList<>();
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
        int matched = 0;
        for (int i = 0; i < vit.blocks.size(); i++) {
            Block block = vit.blocks.get(i);
            Map<String, Linear> linears = new LinkedHashMap<>();
            linears.put("blocks." + i + ".attn.qkv", block.attn.qkv);
            linears.put("blocks." + i + ".attn.proj", block.attn.proj);
            linears.put("blocks." + i + ".mlp.fc1", block.mlp.fc1);
            linears.put("blocks." + i + ".mlp.fc2", block.mlp.fc2);
            for (var e : linears.entrySet()) {
                String name = e.getKey();
                Linear linear = e.getValue();
                boolean kora = config.type() == PeftType.KORA && config.targets().matches(name);
                boolean lora = config.type() == PeftType.LORA ? config.targets().matches(name) : config.loraTargets().matches(name);
                if (kora && !name.endsWith("attn.qkv")) {
                    throw new InputException(source + ": target_modules of KORA may only name attention qkv modules, but it matches " + name);
                }
                if (kora && lora) {
                    throw new InputException(source + ": " + name + " is in both target_modules and lora_targets");
                }
                if (kora) {
                    linear.attach(new KoraAdapter(linear, config.r(), config.compositionDim(), config.scaling(), rng));
                } else if (lora) {
                    LoraAdapter adapter = new LoraAdapter(linear, config.r(), config.scaling(), config.loraDropout(), rng);
                    linear.attach(adapter);
                    loras.add(adapter);
                }
                if (kora || lora) {
                    matched++;
                }
            }
        }
        if (matched == 0) {
            throw new InputException(source + ": target_modules " + config.targets() + " match no module of the model");
        }
        vit.namedParameters().forEach((name, t) -> {
            if (name.contains(".lora_A.") || name.contains(".lora_B.") || name.contains(".kora_")) {
                adapterTensors.put(PREFIX + name, t);
            }
        });
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
        loras.forEach(l -> l.setDropoutRng(rng));
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
     * Loads an adapter file's tensors: names and shapes must match this model's adapter exactly; a
     * saved head replaces the backbone's (and may have another number of classes than the backbone's).
     */
    public void loadAdapter(Map<String, Tensor> state, String source) {
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
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new InputException(source + ": does not match the adapter config"
                    + (missing.isEmpty() ? "" : "; missing " + abbreviate(missing))
                    + (unexpected.isEmpty() ? "" : "; unexpected " + abbreviate(unexpected)));
        }
        adapterTensors.forEach((name, t) -> {
            Tensor value = state.get(name);
            if (!Arrays.equals(value.shape(), t.shape())) {
                throw new InputException(source + ": " + name + " has shape " + Shape.format(value.shape())
                        + " but the model expects " + Shape.format(t.shape()));
            }
            dev.kora4j.nn.Init.copyInto(value, t);
        });
    }

    static String abbreviate(java.util.SortedSet<String> names) {
        List<String> list = List.copyOf(names);
        return list.size() <= 6 ? String.join(", ", list) : String.join(", ", list.subList(0, 6)) + " and " + (list.size() - 6) + " more";
    }
}
