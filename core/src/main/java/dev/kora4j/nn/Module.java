package dev.kora4j.nn;

import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tree of named parameters and submodules; names join with dots as in PyTorch's state dicts
 * ({@code blocks.0.attn.qkv.weight}). A child registered under the empty name shares its
 * parent's namespace (an adapter's {@code lora_A.weight} appears as {@code qkv.lora_A.weight}).
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers (or replaces) a parameter: a leaf that requires grad until frozen. */
    protected Tensor parameter(String name, Tensor value) {
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers (or replaces, keeping its place) a submodule; "" merges it into this namespace. */
    protected <M extends Module> M child(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** Every parameter under this module, by dotted name, in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, m) -> m.collect(name.isEmpty() ? prefix : prefix + name + ".", out));
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameters that currently require grad, by name. */
    public Map<String, Tensor> trainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) {
                out.put(name, p);
            }
        });
        return out;
    }

    /** Freezes (false) or unfreezes (true) every parameter under this module. */
    public void requiresGrad(boolean on) {
        namedParameters().values().forEach(p -> p.requiresGrad(on));
    }

    public long parameterCount() {
        return namedParameters().values().stream().mapToLong(Tensor::numel).sum();
    }

    public boolean isTraining() {
        return training;
    }

    /** Switches this module and its children between training and evaluation (dropout). */
    public void train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
    }
}
