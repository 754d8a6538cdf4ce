package dev.kora4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Edge cases and argument checks of the optimizers, the schedule and clipping (no golden data). */
class OptimizerEdgeCasesTest {

    static Tensor param(float... values) {
        return Tensor.of(values, values.length).requiresGrad(true);
    }

    @Nested
    class Schedule {
        @Test
        void warmupZeroStartsAtTheBaseRateAndDecaysToTheMinimum() {
            CosineSchedule s = new CosineSchedule(0.1, 0.001, 0, 10);
            assertEquals(0.1, s.lr(0), Math.ulp(0.1));
            assertEquals(0.001 + 0.5 * (0.1 - 0.001), s.lr(5), 1e-15); // cos(π/2) = 0
            assertEquals(0.001, s.lr(10));
            for (int step = 1; step <= 10; step++) {
                assertTrue(s.lr(step) < s.lr(step - 1), "decreasing at step " + step);
            }
        }

        @Test
        void warmupRisesLinearlyToTheBaseRate() {
            CosineSchedule s = new CosineSchedule(0.1, 0.001, 4, 20);
            assertEquals(0.025, s.lr(0), 1e-16);
            assertEquals(0.05, s.lr(1), 1e-16);
            assertEquals(0.075, s.lr(2), 1e-16);
            assertEquals(0.1, s.lr(3));
            assertEquals(0.1, s.lr(4), Math.ulp(0.1)); // the decay starts from the base rate
        }

        @Test
        void totalEqualToWarmupDropsToTheMinimumRightAfterTheWarmup() {
            CosineSchedule s = new CosineSchedule(0.5, 0.05, 4, 4);
            assertEquals(0.125, s.lr(0));
            assertEquals(0.5, s.lr(3));
            assertEquals(0.05, s.lr(4));
            assertEquals(0.05, s.lr(100));
        }

        @Test
        void stepsBeyondTheTotalStayAtTheMinimum() {
            // Unlike torch's CosineAnnealingLR, which is periodic and climbs again after T_max.
            CosineSchedule s = new CosineSchedule(0.1, 0.001, 3, 13);
            assertEquals(0.001, s.lr(13));
            assertEquals(0.001, s.lr(14));
            assertEquals(0.001, s.lr(1_000_000));
            assertEquals(0.001, s.lr(Integer.MAX_VALUE));
        }

        @Test
        void applySetsTheOptimizersRate() {
            CosineSchedule s = new CosineSchedule(0.1, 0.0, 2, 10);
            Optimizer opt = new Sgd(List.of(param(1f)), 1.0, 0.0);
            s.apply(opt, 5);
            assertEquals(s.lr(5), opt.learningRate());
        }

        @ParameterizedTest(name = "warmup {0}, total {1}")
        @CsvSource({"-1, 10", "0, 0", "0, -5", "5, 4", "0, " + Integer.MIN_VALUE})
        void rejectsBadStepCounts(int warmup, int total) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new CosineSchedule(0.1, 0.0, warmup, total));
            assertTrue(e.getMessage().contains("warmup " + warmup), e.getMessage());
        }
    }

    @Nested
    class Arguments {
        static AdamW adamw(double lr, double beta1, double beta2, double eps, double wd) {
            return new AdamW(List.of(param(1f)), lr, beta1, beta2, eps, wd);
        }

        @ParameterizedTest(name = "lr {0}, betas ({1}, {2}), eps {3}, wd {4}")
        @CsvSource({
            "-1e-3, 0.9, 0.999, 1e-8, 0.01",
            "1e-3, -0.1, 0.999, 1e-8, 0.01",
            "1e-3, 1.0, 0.999, 1e-8, 0.01",
            "1e-3, 0.9, -0.5, 1e-8, 0.01",
            "1e-3, 0.9, 1.0, 1e-8, 0.01",
            "1e-3, 0.9, 0.999, -1e-8, 0.01",
            "1e-3, 0.9, 0.999, 1e-8, -0.01",
            "NaN, 0.9, 0.999, 1e-8, 0.01",
            "1e-3, NaN, 0.999, 1e-8, 0.01",
            "1e-3, 0.9, NaN, 1e-8, 0.01",
            "1e-3, 0.9, 0.999, NaN, 0.01",
            "1e-3, 0.9, 0.999, 1e-8, NaN",
        })
        void adamwRejectsWhatTorchRejects(double lr, double beta1, double beta2, double eps, double wd) {
            assertThrows(IllegalArgumentException.class, () -> adamw(lr, beta1, beta2, eps, wd));
        }

        @Test
        void adamwAcceptsTheBoundaries() {
            assertDoesNotThrow(() -> adamw(0, 0, 0, 0, 0));
            assertDoesNotThrow(() -> adamw(1e-3, 0.999999, 0.999999, 1e-8, 0.1));
        }

        @ParameterizedTest(name = "lr {0}, momentum {1}, dampening {2}, wd {3}, nesterov {4}")
        @CsvSource({
            "-0.1, 0.9, 0, 0, false",
            "0.1, -0.9, 0, 0, false",
            "0.1, 0.9, 0, -0.01, false",
            "0.1, 0, 0, 0, true",
            "0.1, 0.9, 0.1, 0, true",
        })
        void sgdRejectsWhatTorchRejects(double lr, double momentum, double dampening, double wd, boolean nesterov) {
            assertThrows(IllegalArgumentException.class,
                    () -> new Sgd(List.of(param(1f)), lr, momentum, dampening, wd, nesterov));
        }

        @Test
        void sgdAcceptsNesterovWithMomentumAndNoDampening() {
            assertDoesNotThrow(() -> new Sgd(List.of(param(1f)), 0.1, 0.9, 0, 0.01, true));
            assertDoesNotThrow(() -> new Sgd(List.of(param(1f)), 0, 0, 0.5, 0, false));
        }
    }

    @Nested
    class Parameters {
        static final List<Function<List<Tensor>, Optimizer>> OPTIMIZERS = List.of(
                ps -> new AdamW(ps, 1e-3), ps -> new Sgd(ps, 0.1, 0.9));

        static void assertRejected(Tensor p, String messagePart) {
            for (Function<List<Tensor>, Optimizer> make : OPTIMIZERS) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> make.apply(List.of(param(1f), p)));
                assertTrue(e.getMessage().contains(messagePart), e.getMessage());
            }
        }

        @Test
        void rejectsNonLeafTensors() {
            Tensor leaf = param(1f, 2f);
            Tensor computed = leaf.mul(2.0);
            assertFalse(computed.isLeaf());
            assertRejected(computed, "leaf");
        }

        @Test
        void rejectsTensorsThatDoNotRequireGrad() {
            assertRejected(Tensor.zeros(3), "requires grad");
        }

        @Test
        void rejectsNonF32Tensors() {
            assertRejected(Tensor.of(new double[] {1, 2}, 2).requiresGrad(true), "F32");
        }

        @Test
        void rejectsNonContiguousTensors() {
            Tensor transposed = Tensor.zeros(2, 3).transpose(0, 1).requiresGrad(true);
            assertTrue(transposed.isLeaf());
            assertFalse(transposed.isContiguous());
            assertRejected(transposed, "contiguous");
        }

        @Test
        void adamwCountsStepsPerParameterAndSkipsThoseWithoutGradient() {
            Tensor a = param(1f, 2f), b = param(3f);
            AdamW opt = new AdamW(List.of(a, b), 0.1);
            assertNull(opt.stateOf(a));
            a.setGrad(Tensor.of(new float[] {1f, -1f}, 2));
            opt.step();
            float[] bBefore = b.toFloatArray();
            b.setGrad(Tensor.of(new float[] {0.5f}, 1));
            opt.step();
            assertEquals(2, opt.stateOf(a).step);
            assertEquals(1, opt.stateOf(b).step);
            assertArrayEquals(new float[] {3f}, bBefore, "untouched while it had no gradient");
        }
    }

    @Nested
    class Clipping {
        @Test
        void returnsTheNormBeforeClippingAndScalesToTheLimit() {
            Tensor a = param(0f, 0f), b = param(0f);
            a.setGrad(Tensor.of(new float[] {3f, 4f}, 2));
            b.setGrad(Tensor.of(new float[] {12f}, 1));
            double norm = GradClip.clipByNorm(List.of(a, b), 1.3);
            assertEquals(13.0, norm); // √(9 + 16 + 144), before clipping
            float[] ga = a.grad().toFloatArray(), gb = b.grad().toFloatArray();
            assertArrayEquals(new float[] {0.3f, 0.4f}, ga, 1e-6f);
            assertArrayEquals(new float[] {1.2f}, gb, 1e-6f);
            double after = Math.sqrt((double) ga[0] * ga[0] + (double) ga[1] * ga[1] + (double) gb[0] * gb[0]);
            assertTrue(after <= 1.3, "norm after clipping " + after);
            assertEquals(after, GradClip.clipByNorm(List.of(a, b), 1.3), 1e-12, "a second call sees the clipped norm");
        }

        @Test
        void leavesGradientsBelowTheLimitUntouched() {
            Tensor a = param(0f, 0f);
            float[] g = {3f, 4f};
            a.setGrad(Tensor.of(g, 2));
            assertEquals(5.0, GradClip.clipByNorm(List.of(a), 5.0 + 1e-6)); // coefficient exactly 1
            assertArrayEquals(new float[] {3f, 4f}, g);
            assertEquals(5.0, GradClip.clipByNorm(List.of(a), 100));
            assertArrayEquals(new float[] {3f, 4f}, g);
        }

        @Test
        void skipsParametersWithoutGradient() {
            Tensor a = param(0f, 0f), none = param(7f);
            a.setGrad(Tensor.of(new float[] {3f, 4f}, 2));
            assertEquals(5.0, GradClip.clipByNorm(List.of(a, none), 2.5));
            assertNull(none.grad());
            assertArrayEquals(new float[] {1.5f, 2f}, a.grad().toFloatArray(), 1e-6f);
        }

        @Test
        void noGradientsAtAllGiveNormZero() {
            assertEquals(0.0, GradClip.clipByNorm(List.of(param(1f)), 1.0));
            assertEquals(0.0, GradClip.clipByNorm(List.of(), 1.0));
        }

        @Test
        void maxNormZeroZeroesTheGradients() {
            Tensor a = param(0f, 0f);
            a.setGrad(Tensor.of(new float[] {3f, -4f}, 2));
            assertEquals(5.0, GradClip.clipByNorm(List.of(a), 0));
            float[] g = a.grad().toFloatArray();
            assertEquals(0f, Math.abs(g[0]));
            assertEquals(0f, Math.abs(g[1]));
        }
    }
}
