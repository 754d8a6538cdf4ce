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
 * coordinate search from {@link GemmParams#DEFAULTS} over the one-block limits (for a row-major and a
 * transposed A), k-block depth, row block and panel width, the candidates of each step timed side by
 * side on the GEMM shapes of a ViT step, then the winner timed against the defaults once more and
 * kept only if it is faster. A candidate is scored by the geometric mean of its GFLOP/s over the
 * shapes, so every shape counts alike; within a step, over the shapes it cuts differently from the
 * best so far.
 */
public final class GemmTuner {
    /**
     * A ViT step's products at 2048 tokens (vit_tiny and vit_small linears forward and dx, with
     * vit_small's fc2 for a deep k; a vit_base qkv, and its fc2 for the deepest k), a dW = gᵀ·x at the
     * 1576 tokens of 8 images of 224 px, and attention per (image, head) at 197 tokens ({@link GemmCase}'s
     * names). Without a k of 3072 the one-block limit was chosen from k up to 2048 alone: vit_base's
     * fc2 (12544×3072×768) then ran in k-blocks at 159 GFLOP/s, against 180 as one block (medians, AVX2
     * on a Zen 4). The dW's k was 2048 once, where one block was the slower under AVX2 there; at 1576
     * tokens, a count a step has, one block ran 1.4 times as fast natively and as fast under AVX2.
     */
    static final List<String> SHAPES = List.of("2048x192x576xnt", "2048x768x192xnt", "2048x192x768xnn", "768x1576x192xtn",
            "2048x384x1152xnt", "2048x1536x384xnt", "1024x768x2304xnt", "1024x3072x768xnt", "197x64x197xntx24", "197x197x64xnnx24");
    private static final int[] KC = {64, 96, 128, 192, 256};
    /**
     * One-block limits beside kc and 2·kc: up to fc2's k (4 × width), which can then be one block.
     * On a Zen 4 every further k-block reloaded C from beyond L2, and one block made 1576×1536×384
     * 25–50 % faster. The limits are searched first and kept as they are when kc changes.
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
        this(rounds, SHAPES);
    }

    /** A tuner over other products (tests: the search and the cache without a full-size tune). */
    GemmTuner(int rounds, List<String> products) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        this.rounds = rounds;
        Rng rng = new Rng(7);
        for (String shape : products) {
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
        for (int axis = 0; axis < 5; axis++) {
            Map<GemmParams, Score> scores = score(alongAxis(best, axis), rounds);
            scores.values().forEach(progress);
            timed.putAll(scores);
            for (Score s : scores.values()) {
                if (faster(s, scores.get(best))) {
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

    /**
     * Whether a beats b by the margin on the shapes the two cut differently. On the others they run
     * the same code and differ by noise alone, which diluted a real difference: one-block limits of
     * 1536 and 3072 differ on one shape of ten, and its 15% gain moved the geomean by less than the margin.
     */
    private boolean faster(Score a, Score b) {
        double logRatio = 0;
        int differing = 0;
        for (GemmCase shape : shapes) {
            if (!shape.blockedAlike(a.params(), b.params())) {
                logRatio += Math.log(a.gflops().get(shape.name) / b.gflops().get(shape.name));
                differing++;
            }
        }
        return differing > 0 && Math.exp(logRatio / differing) > MARGIN;
    }

    /** Runs the defaults a few times: the JIT compiles each kernel and tile width on first use. */
    private void warmUp() {
        score(List.of(GemmParams.DEFAULTS), 3 * rounds);
    }

    /**
     * The candidates that differ from p in one parameter (p among them): axis 0 the one-block limit
     * (of a row-major A), 1 that of a transposed A, 2 kc, 3 mc, 4 the panel width.
     */
    static List<GemmParams> alongAxis(GemmParams p, int axis) {
        List<GemmParams> out = new ArrayList<>();
        switch (axis) {
            case 0 -> oneBlockLimits(p, p.oneBlockUpTo()).forEach(limit -> out.add(p.withOneBlockUpTo(limit)));
            case 1 -> oneBlockLimits(p, p.oneBlockTransposedUpTo()).forEach(limit -> out.add(p.withOneBlockTransposedUpTo(limit)));
            case 2 -> { for (int kc : KC) out.add(p.withKc(kc)); }
            case 3 -> { for (int mc : MC) out.add(p.withMc(mc)); }
            default -> { for (int v : PANEL_VECTORS) out.add(p.withPanelVectors(v)); }
        }
        return out;
    }

    /** kc, 2·kc, the current limit and every listed limit above kc, in order. */
    private static TreeSet<Integer> oneBlockLimits(GemmParams p, int current) {
        TreeSet<Integer> limits = new TreeSet<>(List.of(p.kc(), 2 * p.kc(), current));
        Arrays.stream(ONE_BLOCK_UP_TO).filter(limit -> limit > p.kc()).forEach(limits::add);
        return limits;
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
