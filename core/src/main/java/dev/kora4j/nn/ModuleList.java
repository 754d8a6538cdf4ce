package dev.kora4j.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Submodules named 0, 1, 2, ... (PyTorch's nn.ModuleList). */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    public void add(M module) {
        child(String.valueOf(items.size()), module);
        items.add(module);
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return items.iterator();
    }
}
