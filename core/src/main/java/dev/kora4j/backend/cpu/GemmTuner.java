package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Chooses {@link GemmParams} for this machine by measurement, as BLIS's and ATLAS's tuners do: a
 * coordinate search from {@link GemmParams#DEFAULTS} over the one-block limit, k-block depth, row
 * block and panel width, the candidates of each step timed side by side on the GEMM shapes of a ViT
 * step, then the winner timed against the defaults once more and kept only if it is faster. A
 * candidate is scored by the geometric mean of its GFLOP/s over the shapes, so every shape counts alike.
 */
public final class GemmTuner {
    /**
     * A ViT step's products at 2048 tokens (vit_tiny and vit_small linears forward, dx and dW, with
     * vit_small's fc2 for a deep k; a vit_base qkv) and attention per (image, head) at 197 tokens
     * ({@link GemmCase}'s names).
     */
    static final List<String> SHAPES = List.of("2048x192x576xnt", "2048x768x192xnt", "2048x192x768xnn", "768x2048x192xtn",
            "2048x384x1152xnt", "2048x1536x384xnt", "1024x768x2304xnt", "197x64x197xntx24", "197x197x64xnnx24");
    private static final int[] KC = {64, 96, 128, 192, 256};
    /**
     * One-block limits beside kc and 2·kc: up to fc2's k (4 × width), which can then be one block.
     * On a Zen 4 every further k-block reloaded C from beyond L2, and one block made 1576×1536×384
     * 25–50 % faster. The limit is searched first and kept as it is when kc changes.
     */
    private static final int[] ONE_BLOCK_UP_TO = {512, 768, 1536, 3072};
    private static final int[] MC = {64, 128, 256};
    private static final int[] PANEL_VECTORS = {0, 3, 4};
    /** A candidate replaces the best so far only when it is this much faster: less is noise. */
    private static final double MARGIN = 1.02;

    private final int rounds;
    private final List<GemmCase> shapes = new ArrayList<>();

    /** @param rounds timed runs per shape and candidate (the fastest counts) */
    public GemmTuner(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        this.rounds = rounds;
        Rng rng = new Rng(7);
        for (String shape : SHAPES) {
            shapes.add(new GemmCase(shape, rng));
        }
    }

    /** One candidate's score: GFLOP/s per shape (its fastest run) and their geometric mean. */
    public record Score(GemmParams params, Map<String, Double> gflops, double geomean) {}

    /** What the tuner chose, every candidate it timed (its last timing), and the final side-by-side timing. */
    public record Result(GemmParams chosen, List<Score> candidates, Score confirmedDefaults, Score confirmedChosen) {}

    /** Runs the search; each candidate's score goes to progress as it is measured. */
    public Result tune(Consumer<Score> progress) {
        warmUp();
        Map<GemmParams, Score> timed = new LinkedHashMap<>();
        GemmParams best = GemmParams.DEFAULTS;
        for (int axis = 0; axis < 4; axis++) {
            Map<GemmParams, Score> scores = score(alongAxis(best, axis), rounds);
            scores.values().forEach(progress);
            timed.putAll(scores);
            for (Score s : scores.values()) {
                if (s.geomean() > MARGIN * scores.get(best).geomean()) {
                    best = s.params();
                }
            }
        }
        // the choice against the defaults once more, side by side, with twice the rounds
        Map<GemmParams, Score> last = score(List.of(GemmParams.DEFAULTS, best), 2 * rounds);
        Score defaults = last.get(GemmParams.DEFAULTS), chosen = last.get(best);
        GemmParams winner = chosen.geomean() > defaults.geomean() ? best : GemmParams.DEFAULTS;
        return new Result(winner, List.copyOf(timed.values()), defaults, chosen);
    }

    /** Runs the defaults a few times: the JIT compiles each kernel and tile width on first use. */
    private void warmUp() {
        score(List.of(GemmParams.DEFAULTS), 3 * rounds);
    }

    /** The candidates that differ from p in one parameter (p among them). */
    static List<GemmParams> alongAxis(GemmParams p, int axis) {
        List<GemmParams> out = new ArrayList<>();
        switch (axis) {
            case 0 -> {
                TreeSet<Integer> limits = new TreeSet<>(List.of(p.kc(), 2 * p.kc(), p.oneBlockUpTo()));
                Arrays.stream(ONE_BLOCK_UP_TO).filter(limit -> limit > p.kc()).forEach(limits::add);
                limits.forEach(limit -> out.add(new GemmParams(p.kc(), limit, p.mc(), p.panelVectors())));
            }
            case 1 -> { for (int kc : KC) out.add(new GemmParams(kc, Math.max(kc, p.oneBlockUpTo()), p.mc(), p.panelVectors())); }
            case 2 -> { for (int mc : MC) out.add(new GemmParams(p.kc(), p.oneBlockUpTo(), mc, p.panelVectors())); }
            default -> { for (int v : PANEL_VECTORS) out.add(new GemmParams(p.kc(), p.oneBlockUpTo(), p.mc(), v)); }
        }
        return out;
    }

    /**
     * Times every shape with each candidate, interleaved (round by round, shape by shape, candidate
     * by candidate), so that a slow moment of a shared machine hits them alike; a candidate's time on
     * a shape is its fastest run, the one least disturbed.
     */
    public Map<GemmParams, Score> score(List<GemmParams> candidates, int rounds) {
        double[][][] seconds = new double[candidates.size()][shapes.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < shapes.size(); s++) {
                GemmCase shape = shapes.get(s);
                for (int c = 0; c < candidates.size(); c++) {
                    long t0 = System.nanoTime();
                    shape.run(candidates.get(c));
                    seconds[c][s][r] = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        Map<GemmParams, Score> scores = new LinkedHashMap<>();
        for (int c = 0; c < candidates.size(); c++) {
            Map<String, Double> gflops = new LinkedHashMap<>();
            double logSum = 0;
            for (int s = 0; s < shapes.size(); s++) {
                double g = shapes.get(s).flops() / Arrays.stream(seconds[c][s]).min().orElseThrow() / 1e9;
                gflops.put(shapes.get(s).name, g);
                logSum += Math.log(g);
            }
            scores.put(candidates.get(c), new Score(candidates.get(c), gflops, Math.exp(logSum / shapes.size())));
        }
        return scores;
    }
}
