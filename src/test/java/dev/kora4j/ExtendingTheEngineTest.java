package dev.kora4j;

import static dev.kora4j.Asserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.autograd.CustomOp;
import dev.kora4j.autograd.GradCheck;
import dev.kora4j.ops.Pointwise;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "Extending the engine": its code, as written there, runs and does what the README says. */
class ExtendingTheEngineTest {
    // ---- the README's code, verbatim (readmeCodeIsThisCode checks it) ----
    /** SiLU, x·σ(x), as a user's op: forward and backward from tensor ops, so it runs on every backend. */
    static class Silu implements CustomOp {
        public Tensor forward(CustomOp.Context ctx, Tensor... in) {
            ctx.save("x", in[0]);
            return in[0].mul(Pointwise.sigmoid(in[0]));
        }

        public Tensor[] backward(CustomOp.Context ctx, Tensor g) {     // d/dx x·σ(x) = σ·(1 + x·(1 − σ))
            Tensor x = ctx.saved("x"), s = Pointwise.sigmoid(x);
            return new Tensor[] {g.mul(s.mul(x.mul(s.neg().add(1)).add(1)))};
        }
    }

    /** The same op with a forward of its own on the cpu: one pass over x, no temporaries. */
    static class CpuSilu extends Silu {
        public Tensor forward(CustomOp.Context ctx, Tensor... in) {
            Tensor x = in[0].contiguous();
            if (x.device() != Device.CPU || x.dtype() != DType.F32) {
                return super.forward(ctx, x);                          // every other backend: primitives
            }
            ctx.save("x", x);
            float[] xs = x.floats(), ys = new float[x.numel()];
            for (int i = 0; i < ys.length; i++) {
                float v = xs[x.offset() + i];
                ys[i] = v / (1 + (float) Math.exp(-v));
            }
            return Tensor.of(ys, x.shape());
        }
    }
    // ---- end of the README's code ----

    @Test
    void aCustomOpPassesGradCheckAndItsCpuForwardMatchesThePrimitiveOne() {
        Rng rng = new Rng(7);
        Tensor x = Tensor.randn(rng, 6, 7).t().requiresGrad(true);    // a strided view on the cpu, F32
        Tensor y = CustomOp.apply("silu", new CpuSilu(), x);              // recorded like any op; y.backward(g) reaches x
        GradCheck.check("silu", in -> CustomOp.apply("silu", new Silu(), in[0]).sum(),
                Tensor.randn(rng, DType.F64, Device.REFERENCE, 4, 5).requiresGrad(true));

        // What the README says of it: the cpu forward gives what the primitives give, and so do the
        // gradients through both; the F64 path of CpuSilu (its fallback) passes the gradcheck too.
        GradCheck.check("silu (cpu forward's fallback)", in -> CustomOp.apply("silu", new CpuSilu(), in[0]).sum(),
                Tensor.randn(rng, DType.F64, Device.CPU, 3, 2).requiresGrad(true));
        Tensor xPrimitive = x.detach().requiresGrad(true);
        Tensor yPrimitive = CustomOp.apply("silu", new Silu(), xPrimitive);
        assertClose("the cpu forward against the primitives'", yPrimitive, y, Tolerance.POINTWISE);
        Tensor g = Tensor.randn(rng, 7, 6);
        y.backward(g);
        yPrimitive.backward(g);
        assertClose("the gradients of both", xPrimitive.grad(), x.grad(), Tolerance.POINTWISE);
        Tensor x64 = x.detach().to(DType.F64).to(Device.REFERENCE);
        assertClose("silu against x·σ(x) in F64", x64.mul(Pointwise.sigmoid(x64)), y, Tolerance.POINTWISE);
        assertEquals("silu", yPrimitive.gradFn().op(), "recorded under its name");
    }

    @Test
    void forwardKnowsWhichInputsWantGradients() {
        boolean[][] seen = new boolean[2][];
        CustomOp probe = new CustomOp() {
            public Tensor forward(CustomOp.Context ctx, Tensor... in) {
                seen[0] = new boolean[] {ctx.needsGrad(0), ctx.needsGrad(1)};
                return in[0].mul(in[1]);
            }

            public Tensor[] backward(CustomOp.Context ctx, Tensor g) {
                seen[1] = new boolean[] {ctx.needsGrad(0), ctx.needsGrad(1)};
                return new Tensor[] {g, null};
            }
        };
        Tensor trained = Tensor.ones(DType.F32, Device.CPU, 2).requiresGrad(true), frozen = Tensor.ones(DType.F32, Device.CPU, 2);
        CustomOp.apply("probe", probe, trained, frozen).sum().backward();
        assertEquals(List.of(true, false), List.of(seen[0][0], seen[0][1]), "in forward");
        assertEquals(List.of(true, false), List.of(seen[1][0], seen[1][1]), "in backward");
    }

    @Test
    void aWrongGradientIsNamed() {
        CustomOp wrongShape = new CustomOp() {
            public Tensor forward(CustomOp.Context ctx, Tensor... in) {
                return in[0].sum();
            }

            public Tensor[] backward(CustomOp.Context ctx, Tensor g) {
                return new Tensor[] {g};                                  // a scalar for a [3] input
            }
        };
        Tensor x = Tensor.zeros(3).requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> CustomOp.apply("my_sum", wrongShape, x).backward());
        assertTrue(e.getMessage().startsWith("my_sum:"), e.getMessage());
        CustomOp unsaved = new CustomOp() {
            public Tensor forward(CustomOp.Context ctx, Tensor... in) {
                return in[0].mul(2);
            }

            public Tensor[] backward(CustomOp.Context ctx, Tensor g) {
                return new Tensor[] {g.mul(ctx.saved("x"))};
            }
        };
        var e2 = assertThrows(IllegalArgumentException.class, () -> CustomOp.apply("twice", unsaved, x).sum().backward());
        assertTrue(e2.getMessage().contains("twice: nothing was saved as 'x'"), e2.getMessage());
    }

    @Test
    void readmeCodeIsThisCode() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## Extending the engine"));
        String code = section.substring(section.indexOf("```java\n") + 8, section.indexOf("```\n", section.indexOf("```java\n") + 8));
        String here = Files.readString(Path.of("src/test/java/dev/kora4j/ExtendingTheEngineTest.java"));
        List<String> lines = code.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertTrue(lines.size() > 20, "the README's example has its code");
        for (String line : lines) {
            assertTrue(here.contains(line), "a README line that this test does not run: " + line);
        }
    }
}
