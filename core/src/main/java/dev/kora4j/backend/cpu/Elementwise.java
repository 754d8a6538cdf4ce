package dev.kora4j.backend.cpu;

import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise F32 kernels: copy, map (unary), mapBackward, zip (binary). Each walks its operands
 * as rows ({@link RowPlan}); a row segment with unit strides runs as vectors plus a scalar tail,
 * others run scalar. Work is cut into segments of a fixed size, independent of the thread count.
 */
final class Elementwise {
    private static final VectorSpecies<Float> S = Simd.F32;
    /** Elements per task: big enough to amortise scheduling, small enough to balance two cores. */
    static final int CHUNK = 1 << 15;

    private Elementwise() {}

    /** A piece of work: columns [from, to) of one row. */
    @FunctionalInterface
    interface Segment {
        void run(int row, int from, int to);
    }

    /** Calls body on fixed-size segments of the plan, in parallel. */
    static void forEachSegment(RowPlan plan, Segment body) {
        int rows = plan.rows, cols = plan.cols;
        if (rows == 0 || cols == 0) {
            return;
        }
        if (cols >= CHUNK) {
            int perRow = (cols + CHUNK - 1) / CHUNK;
            Parallel.forEach(rows * perRow, task -> {
                int row = task / perRow, from = (task % perRow) * CHUNK;
                body.run(row, from, Math.min(cols, from + CHUNK));
            });
        } else {
            int rowsPerTask = Math.max(1, CHUNK / cols);
            Parallel.forEach((rows + rowsPerTask - 1) / rowsPerTask, task -> {
                for (int row = task * rowsPerTask, end = Math.min(rows, row + rowsPerTask); row < end; row++) {
                    body.run(row, 0, cols);
                }
            });
        }
    }

    // ---- copy --------------------------------------------------------------------------------

    static void copy(Tensor src, Tensor dst) {
        float[] s = src.floats(), d = dst.floats();
        RowPlan plan = new RowPlan(src, dst);
        int ss = plan.colStride[0], ds = plan.colStride[1];
        forEachSegment(plan, (row, from, to) -> {
            int si = plan.rowStart(0, row) + from * ss, di = plan.rowStart(1, row) + from * ds;
            int n = to - from;
            if (ss == 1 && ds == 1) {
                System.arraycopy(s, si, d, di, n);
            } else {
                for (int i = 0; i < n; i++) {
                    d[di + i * ds] = s[si + i * ss];
                }
            }
        });
    }

    // ---- map: out = f(x) ---------------------------------------------------------------------

    static void map(UnaryOp op, double p, Tensor x, Tensor out) {
        float[] xs = x.floats(), os = out.floats();
        RowPlan plan = new RowPlan(x, out);
        int xst = plan.colStride[0], ost = plan.colStride[1];
        float pf = (float) p;
        forEachSegment(plan, (row, from, to) -> {
            int xi = plan.rowStart(0, row) + from * xst, oi = plan.rowStart(1, row) + from * ost;
            int n = to - from;
            int i = xst == 1 && ost == 1 ? UnaryLoops.map(op, pf, xs, xi, os, oi, n) : 0;
            for (; i < n; i++) {
                os[oi + i * ost] = apply(op, pf, xs[xi + i * xst]);
            }
        });
    }

    /** The scalar form: the ops the training step runs have float forms of their own. */
    private static float apply(UnaryOp op, float p, float x) {
        return switch (op) {
            case NEG -> -x;
            case ADD_SCALAR -> x + p;
            case MUL_SCALAR -> x * p;
            case EXP -> FastMath.exp(x);
            case SQRT -> (float) Math.sqrt(x);
            case RELU -> Math.max(x, 0f);
            case GELU -> FastMath.gelu(x);
            case POW -> p == 2f ? x * x : p == 1f ? x : (float) Math.pow(x, p);
            default -> (float) op.apply(x, p); // the table's own rule, in double
        };
    }

    // ---- mapBackward: dx = g · f'(x) ---------------------------------------------------------

    static void mapBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor grad, Tensor dx) {
        // x or y may be absent (each rule reads one); the grad stands in for it in the plan.
        Tensor xt = x != null ? x : grad, yt = y != null ? y : grad;
        float[] xs = xt.floats(), ys = yt.floats(), gs = grad.floats(), ds = dx.floats();
        RowPlan plan = new RowPlan(xt, yt, grad, dx);
        int[] st = plan.colStride;
        boolean unit = st[0] == 1 && st[1] == 1 && st[2] == 1 && st[3] == 1;
        float pf = (float) p;
        forEachSegment(plan, (row, from, to) -> {
            int xi = plan.rowStart(0, row) + from * st[0], yi = plan.rowStart(1, row) + from * st[1];
            int gi = plan.rowStart(2, row) + from * st[2], di = plan.rowStart(3, row) + from * st[3];
            int n = to - from;
            int i = unit ? UnaryLoops.derivative(op, xs, xi, ys, yi, gs, gi, ds, di, n) : 0;
            for (; i < n; i++) {
                ds[di + i * st[3]] = derivative(op, pf, xs[xi + i * st[0]], ys[yi + i * st[1]], gs[gi + i * st[2]]);
            }
        });
    }

    private static float derivative(UnaryOp op, float p, float x, float y, float g) {
        return switch (op) {
            case EXP -> g * y;
            case SQRT -> g * 0.5f / y;
            case TANH -> g * Math.fma(-y, y, 1f);
            case RELU -> x > 0 ? g : 0f;
            case GELU -> g * FastMath.geluDerivative(x, y);
            default -> (float) (g * op.derivative(x, y, p));
        };
    }

    // ---- zip: out = a op b -------------------------------------------------------------------

    static void zip(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        float[] as = a.floats(), bs = b.floats(), os = out.floats();
        RowPlan plan = new RowPlan(a, b, out);
        int ast = plan.colStride[0], bst = plan.colStride[1], ost = plan.colStride[2];
        boolean vector = ost == 1 && (ast == 1 || ast == 0) && (bst == 1 || bst == 0);
        forEachSegment(plan, (row, from, to) -> {
            int ai = plan.rowStart(0, row) + from * ast, bi = plan.rowStart(1, row) + from * bst;
            int oi = plan.rowStart(2, row) + from * ost;
            int n = to - from;
            int i = 0;
            if (vector) {
                FloatVector aConst = FloatVector.broadcast(S, as[ai]), bConst = FloatVector.broadcast(S, bs[bi]);
                for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
                    FloatVector av = ast == 0 ? aConst : FloatVector.fromArray(S, as, ai + i);
                    FloatVector bv = bst == 0 ? bConst : FloatVector.fromArray(S, bs, bi + i);
                    apply(op, av, bv).intoArray(os, oi + i);
                }
            }
            for (; i < n; i++) {
                os[oi + i * ost] = apply(op, as[ai + i * ast], bs[bi + i * bst]);
            }
        });
    }

    private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
        };
    }

    private static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }
}
