package dev.kora4j.peft;

import java.util.List;

/**
 * Which modules of a model an adapter goes on, decided as PEFT 0.21 decides it
 * ({@code check_target_module_exists}), in its order, for each module name:
 * <ol>
 *   <li>a module exclude_modules matches is left out (a list: the name or a "."-suffix; a string: a
 *       regex of the whole name);</li>
 *   <li>so is a module that modules_to_save names, or one inside it (PEFT's
 *       {@code re.match(r"(^|.*\.)" + m + r"($|\..*)", name)});</li>
 *   <li>"all-linear" takes every Linear; a regex string takes the names it matches whole; a list
 *       takes a name it holds exactly, and a name one of its entries ends with after a "." — only
 *       such a suffix match is then held to layers_to_transform ({@link LayerSelection}).</li>
 * </ol>
 * PEFT decides on every module, containers and all; one it selects that is neither a Linear nor a
 * Conv2d makes PEFT refuse the config, and so does kora4j ({@link PeftModel}).
 *
 * @param targets the target_modules list or regex; null with all-linear
 * @param exclude the exclude_modules list or regex (an empty list for none)
 * @param layers  layers_to_transform with layers_pattern, or null for every layer
 */
record TargetRule(ModuleMatcher targets, ModuleMatcher exclude, List<SafeRegex> modulesToSave, LayerSelection layers) {
    TargetRule {
        modulesToSave = List.copyOf(modulesToSave);
    }

    boolean allLinear() {
        return targets == null;
    }

    /** PEFT's modules_to_save rule for {@code names}, each a regex as PEFT reads it. */
    static List<SafeRegex> savedModules(List<String> names, String source) {
        return names.stream().map(m -> SafeRegex.compile("(^|.*\\.)" + m + "($|\\..*)", source)).toList();
    }

    /** Whether the module {@code name} (a Linear when {@code linear}) gets an adapter. */
    boolean selects(String name, boolean linear) {
        if (exclude.matches(name) || modulesToSave.stream().anyMatch(m -> m.matchAtStart(name))) {
            return false;
        }
        if (allLinear()) {
            return linear;
        }
        if (targets.isRegex() || targets.namesExactly(name)) {
            return targets.matches(name);
        }
        return targets.matchesSuffix(name) && (layers == null || layers.keeps(name));
    }
}
