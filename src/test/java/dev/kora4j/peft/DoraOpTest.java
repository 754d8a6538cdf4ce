package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertClose;

import dev.kora4j.Tolerance;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DoRA's one op against its composition of primitive ops, whose backward autograd derives (with the
 * norm detached, as PEFT has it): the output and every gradient, A and B included, on the reference
 * backend in double and on the cpu backend, for each tail and at sizes that cross the GEMM's tiles.
 */
class DoraOpTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("small", new int[] {2, 3, 5}, 4, 2, LinearTail.NONE),
                Arguments.of("gelu", new int[] {3, 7}, 6, 3, LinearTail.GELU),
                Arguments.of("residual", new int[] {2, 9, 6}, 5, 2, null),
                Arguments.of("tiles", new int[] {4, 65, 48}, 144, 8, null),
                Arguments.of("thin", new int[] {37, 32}, 8, 4, LinearTail.GELU));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOneOpIsItsComposition(String name, int[] xShape, int out, int r, LinearTail tail) {
        for (Device device : new Device[] {Device.REFERENCE, Device.CPU}) {
            DType dtype = device == Device.REFERENCE ? DType.F64 : DType.F32;
            Tensor[] fused = inputs(xShape, out, r, dtype, device), composed = inputs(xShape, out, r, dtype, device);
            Function<Tensor[], Tensor> one = in -> DoraOp.linear(in[0], in[1], in[2], in[3], in[4], in[5], 0.9, tail(tail, in[6]));
            Function<Tensor[], Tensor> many = in -> DoraOp.composed(in[0], in[0], in[1], in[2], in[3], in[4], in[5], 0.9, tail(tail, in[6]));
            Tensor y1 = one.apply(fused), y2 = many.apply(composed);
            Tolerance t = dtype == DType.F64 ? new Tolerance(1e-12, 1e-12, true) : Tolerance.CHAINS;
            assertClose(name + " on " + device + ": output", y2, y1, t);
            Tensor g = Tensor.uniform(new Rng(7), -1, 1, y1.shape()).to(dtype).to(device);
            y1.backward(g);
            y2.backward(g);
            String[] names = {"x", "W", "bias", "A", "B", "m", "residual"};
            for (int i = 0; i < fused.length; i++) {
                if (fused[i].requiresGrad() && (i < 6 || tail == null)) { // the residual only where the tail adds it
                    assertClose(name + " on " + device + ": d" + names[i], composed[i].grad(), fused[i].grad(), t);
                }
            }
        }
    }

    private static LinearTail tail(LinearTail given, Tensor residual) {
        return given == null ? LinearTail.residual(residual) : given;
    }

    /** x, W (frozen), bias, A, B, m and a residual, seeded: the same values for both forms. */
    private static Tensor[] inputs(int[] xShape, int out, int r, DType dtype, Device device) {
        Rng rng = new Rng(11);
        int in = xShape[xShape.length - 1];
        int[] yShape = xShape.clone();
        yShape[yShape.length - 1] = out;
        int[][] shapes = {xShape, {out, in}, {out}, {r, in}, {out, r}, {out}, yShape};
        Tensor[] t = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            t[i] = Tensor.uniform(rng, -1, 1, shapes[i]).to(dtype).to(device).detach().requiresGrad(i != 1);
        }
        return t;
    }
}
