package dev.kora4j.peft;

/** Adapter kinds, as written in adapter_config.json's peft_type. */
public enum PeftType {
    /** PEFT's LoRA. */
    LORA,
    /** The README's KoRA: a gated composition of the q, k, v LoRA deltas added to v (kora-math.md §2). */
    KORA,
    /** The seed notebook's KoRA: a side network on detached layer inputs (kora-math.md §5). */
    KORA_SEED,
    /** No adapter: only the head trains (kora4j's own type, so that every method has a config file). */
    LINEAR_PROBE,
    /** No adapter: every parameter trains (kora4j's own type). */
    FULL;

    /** Whether the type adds adapter tensors (and so has adapter files). */
    public boolean hasAdapter() {
        return this == LORA || this == KORA || this == KORA_SEED;
    }
}
