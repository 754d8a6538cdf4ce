package dev.kora4j.train;

import dev.kora4j.peft.AdapterConfig;

/** How reports name a training method. */
public final class Methods {
    private Methods() {}

    public static String label(AdapterConfig c) {
        return switch (c.type()) {
            case LORA -> "LoRA (r=" + c.r() + ")";
            case KORA -> "KoRA (r=" + c.r() + ", d_comp=" + c.compositionDim() + ")";
            case KORA_SEED -> "Seed KoRA (d_comp=" + c.compositionDim() + (c.trainFinalProjection() ? ", trained F" : "") + ")";
            case LINEAR_PROBE -> "Linear probe";
            case FULL -> "Full fine-tuning";
        };
    }
}
