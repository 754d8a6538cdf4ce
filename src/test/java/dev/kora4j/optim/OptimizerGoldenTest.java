package dev.kora4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Pins AdamW, Sgd, GradClip and CosineSchedule to PyTorch, using what
 * test-data/golden/optim/make_optim_golden.py recorded from torch.optim (single-tensor path,
 * foreach=False) and torch.nn.utils.clip_grad_norm_; see that script for versions and how to
 * regenerate.
 *
 * <p>PyTorch's float32 results on the CPU depend on the build of its kernels, so the file holds
 * several references per case:
 * <ul>
 *   <li>"DEFAULT": the kernels without SIMD, which round after every operation as Java does.
 *       SGD matches them bit for bit. AdamW does not, only because torch.sqrt is MKL's vsSqrt,
 *       which is 1 ulp off the IEEE square root for about one input in six.
 *   <li>"DEFAULT_IEEE_SQRT" (AdamW only): the same run with an IEEE square root. AdamW matches it
 *       bit for bit, which pins every other operation and PyTorch's order of them.
 *   <li>"AVX2" (the script checks AVX-512 gives the same bits): what PyTorch computes on typical
 *       x86-64 machines. There a multiply and the add after it are fused into one FMA
 *       (exp_avg.lerp_, addcmul_, and every add_(x, alpha=a): weight decay, momentum, the SGD
 *       update), which rounds once where we round twice. Checked with {@link #RELATIVE}.
 * </ul>
 */
class OptimizerGoldenTest {
    static final Path GOLDEN = Path.of("test-data", "golden", "optim", "optim_golden.json");

    /**
     * Tolerance against the MKL-sqrt and FMA references, relative to max(|value before the step|,
     * |value after|). Each differing rounding is at most about one ulp at that scale, and five
     * steps carry a few of them forward through the moments and the parameters: the largest
     * difference seen is 3 ulps of the scale (≈ 3.6e-7); relative 1e-6 is about 8.
     */
    static final double RELATIVE = 1e-6;

    static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        assertTrue(Files.isRegularFile(GOLDEN), "golden file missing: " + GOLDEN.toAbsolutePath()
                + " (the tests run from the project root)");
        golden = new ObjectMapper().readTree(GOLDEN.toFile());
    }

    // ---- decoding ---------------------------------------------------------------------------

    /** A float32 array written as hex IEEE-754 bit patterns. */
    static float[] floats(JsonNode hexBits) {
        float[] out = new float[hexBits.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(hexBits.get(i).asText(), 16));
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** Fresh trainable tensors holding the recorded initial values. */
    static List<Tensor> initialParams() {
        List<Tensor> params = new ArrayList<>();
        for (JsonNode p : golden.get("params")) {
            params.add(Tensor.of(floats(p.get("init")), ints(p.get("shape"))).requiresGrad(true));
        }
        return params;
    }

    /** Sets every parameter's gradient (none where the file has null). */
    static void setGrads(List<Tensor> params, JsonNode grads) {
        for (int i = 0; i < params.size(); i++) {
            JsonNode g = grads.get(i);
            params.get(i).setGrad(g.isNull() ? null : Tensor.of(floats(g), params.get(i).shape()));
        }
    }

    // ---- comparison -------------------------------------------------------------------------

    /** Distance in representable float32 values; 0 only for the same bits. */
    static long ulps(float a, float b) {
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
    }

    static void assertWithinUlps(float[] expected, float[] actual, long allowed, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i]) || Float.isNaN(actual[i]) || ulps(expected[i], actual[i]) > allowed) {
                fail(String.format("%s[%d]: expected %s (%08x), got %s (%08x): %d ulp apart, allowed %d", what, i,
                        expected[i], Float.floatToRawIntBits(expected[i]), actual[i],
                        Float.floatToRawIntBits(actual[i]), ulps(expected[i], actual[i]), allowed));
            }
        }
    }

    // ---- optimizers -------------------------------------------------------------------------

    static Optimizer build(JsonNode c, List<Tensor> params) {
        double lr = c.get("lr").asDouble();
        return switch (c.get("type").asText()) {
            case "adamw" -> c.path("defaults").asBoolean()
                    ? new AdamW(params, lr)
                    : new AdamW(params, lr, c.get("betas").get(0).asDouble(), c.get("betas").get(1).asDouble(),
                            c.get("eps").asDouble(), c.get("weight_decay").asDouble());
            case "sgd" -> new Sgd(params, lr, c.get("momentum").asDouble(), c.get("dampening").asDouble(),
                    c.get("weight_decay").asDouble(), c.get("nesterov").asBoolean());
            default -> throw new IllegalArgumentException("unknown optimizer " + c.get("type"));
        };
    }

    /**
     * Runs one recorded case and compares the parameters after every step: bit for bit when
     * {@code relative} is 0, else |expected − actual| ≤ relative · max(|before|, |expected|), where
     * "before" is PyTorch's value of that element before the step. The scale is what the step
     * worked with, not the result alone: a step can cancel most of a parameter, and then one
     * rounding of the inputs is many ulps of the small result (up to 38 in these cases).
     */
    static void runCase(JsonNode c, String reference, double relative) {
        List<Tensor> params = initialParams();
        Optimizer optimizer = build(c, params);
        JsonNode expected = c.get("expected").get(reference);
        JsonNode grads = golden.get("grads");
        assertEquals(grads.size(), expected.size(), "steps");
        List<float[]> before = new ArrayList<>();
        for (Tensor p : params) {
            before.add(p.toFloatArray());
        }
        for (int step = 0; step < grads.size(); step++) {
            setGrads(params, grads.get(step));
            optimizer.step();
            for (int i = 0; i < params.size(); i++) {
                String what = c.get("name").asText() + " vs " + reference + ", step " + (step + 1) + ", "
                        + golden.get("params").get(i).get("name").asText();
                float[] want = floats(expected.get(step).get(i));
                float[] got = params.get(i).toFloatArray();
                if (relative == 0) {
                    assertWithinUlps(want, got, 0, what);
                } else {
                    assertEquals(want.length, got.length, what + ": length");
                    for (int k = 0; k < want.length; k++) {
                        double scale = Math.max(Math.abs(before.get(i)[k]), Math.abs(want[k]));
                        double diff = Math.abs((double) want[k] - got[k]);
                        if (!(diff <= relative * scale)) {
                            fail(String.format("%s[%d]: expected %s, got %s: off by %.3g of %s, allowed %.1g",
                                    what, k, want[k], got[k], diff / scale, scale, relative));
                        }
                    }
                }
                before.set(i, want);
            }
        }
    }

    /**
     * Bit for bit: SGD against PyTorch's DEFAULT kernels, AdamW against the same with an IEEE
     * square root (see the class comment).
     */
    @TestFactory
    Stream<DynamicTest> optimizersMatchPyTorchBitExactly() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("optimizers")) {
            String reference = c.get("type").asText().equals("adamw") ? "DEFAULT_IEEE_SQRT" : "DEFAULT";
            tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " vs " + reference,
                    () -> runCase(c, reference, 0)));
        }
        return tests.stream();
    }

    /**
     * Within {@link #RELATIVE}: AdamW against the DEFAULT kernels (MKL square root), and both
     * optimizers against the FMA kernels typical x86-64 machines run.
     */
    @TestFactory
    Stream<DynamicTest> optimizersMatchPyTorchMklSqrtAndFmaWithinTolerance() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("optimizers")) {
            List<String> references = c.get("type").asText().equals("adamw") ? List.of("DEFAULT", "AVX2") : List.of("AVX2");
            for (String reference : references) {
                tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " vs " + reference,
                        () -> runCase(c, reference, RELATIVE)));
            }
        }
        return tests.stream();
    }

    @Test
    void goldenFileCoversTheIntendedCases() {
        JsonNode optimizers = golden.get("optimizers");
        assertEquals(10, optimizers.size());
        for (JsonNode c : optimizers) {
            String[] references = c.get("type").asText().equals("adamw")
                    ? new String[] {"DEFAULT", "DEFAULT_IEEE_SQRT", "AVX2"} : new String[] {"DEFAULT", "AVX2"};
            for (String reference : references) {
                assertTrue(c.get("expected").has(reference), c.get("name") + " lacks " + reference);
            }
        }
        assertEquals(5, golden.get("grads").size());
        boolean someMissing = false;
        for (JsonNode row : golden.get("grads")) {
            for (JsonNode g : row) {
                someMissing |= g.isNull();
            }
        }
        assertTrue(someMissing, "one step should leave a parameter without a gradient");
        assertTrue(golden.get("meta").get("avx512_equals_avx2").asBoolean(), "AVX-512 was not compared with AVX2");
    }

    // ---- clipping ---------------------------------------------------------------------------

    /**
     * We sum squares in double and divide in double; PyTorch takes each gradient's float32 norm,
     * the float32 norm of those, and max_norm · (1 / (norm + 1e-6)) with a float32 rounding after
     * each operation. So the returned norm agrees to float32 precision, and the coefficient, hence
     * each clipped gradient, to within 2 ulps (2 seen). Below the limit neither scales: bit for bit.
     */
    static final double CLIP_NORM_RELATIVE = 1e-6;
    static final long CLIP_ULPS = 2;

    @TestFactory
    Stream<DynamicTest> clipByNormMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("clip")) {
            for (String reference : List.of("DEFAULT", "AVX2")) {
                String name = c.get("name").asText() + " vs " + reference;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    List<Tensor> params = initialParams();
                    setGrads(params, c.get("grads"));
                    double maxNorm = c.get("max_norm").asDouble();
                    double norm = GradClip.clipByNorm(params, maxNorm);
                    JsonNode expected = c.get("expected").get(reference);
                    double torchNorm = floats(expected.get("total_norm"))[0];
                    assertEquals(torchNorm, norm, CLIP_NORM_RELATIVE * torchNorm, name + ": total norm");
                    boolean scaled = maxNorm / (norm + 1e-6) < 1;
                    for (int i = 0; i < params.size(); i++) {
                        JsonNode g = expected.get("grads").get(i);
                        if (g.isNull()) {
                            assertNull(params.get(i).grad(), name + ": a missing gradient stays missing");
                        } else {
                            assertWithinUlps(floats(g), params.get(i).grad().toFloatArray(), scaled ? CLIP_ULPS : 0,
                                    name + ", grad " + i);
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    // ---- schedule ---------------------------------------------------------------------------

    /**
     * CosineSchedule against its documented formula as the script evaluated it in Python (the same
     * double operations; Java's Math.cos may differ from C's cos in the last bit), and its decay
     * part against torch's CosineAnnealingLR(T_max = total − warmup, eta_min = min), whose epoch k
     * is our step warmup + k. CosineAnnealingLR updates the rate recursively, so the two agree to
     * rounding (≈ 3e-16 of the base rate here; the script checks that too).
     */
    @TestFactory
    Stream<DynamicTest> cosineScheduleMatchesFormulaAndTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("schedules")) {
            double base = c.get("base_lr").asDouble(), min = c.get("min_lr").asDouble();
            int warmup = c.get("warmup").asInt(), total = c.get("total").asInt();
            String name = "base " + base + ", min " + min + ", warmup " + warmup + ", total " + total;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                CosineSchedule schedule = new CosineSchedule(base, min, warmup, total);
                JsonNode lr = c.get("lr");
                assertEquals(total + 3, lr.size(), "the file covers steps up to total + 2");
                for (int s = 0; s < lr.size(); s++) {
                    double expected = lr.get(s).asDouble();
                    assertEquals(expected, schedule.lr(s), 2 * Math.ulp(expected), name + ", step " + s);
                }
                JsonNode torch = c.get("torch_cosine_annealing");
                if (total > warmup) {
                    assertEquals(total - warmup + 1, torch.size());
                    for (int k = 0; k < torch.size(); k++) {
                        assertEquals(torch.get(k).asDouble(), schedule.lr(warmup + k), 1e-12 * base,
                                name + ", CosineAnnealingLR epoch " + k);
                    }
                }
            }));
        }
        return tests.stream();
    }
}
