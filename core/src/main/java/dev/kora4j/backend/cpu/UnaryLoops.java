package dev.kora4j.backend.cpu;

import dev.kora4j.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops of {@link Elementwise#map} and {@link Elementwise#mapBackward} over contiguous
 * runs, one method per op. A loop that chose its op per vector would be compiled once for all ops;
 * when the JIT then fails to inline the math of one of them (GELU's is long), every vector crossing
 * that call is boxed on the heap, hundreds of MB per training step. Here each loop is small and
 * monomorphic, so its vectors stay in registers; only arrays and offsets cross the dispatch.
 * Each method returns how many elements it did; the caller's scalar tail does the rest.
 */
final class UnaryLoops {
    private static final VectorSpecies<Float> S = Simd.F32;

    private UnaryLoops() {}

    /** y = f(x) over the vector part of n elements; 0 where op has no vector form. */
    static int map(UnaryOp op, float p, float[] x, int xi, float[] y, int yi, int n) {
        int bound = Simd.loopBound(n);
        switch (op) {
            case NEG -> neg(x, xi, y, yi, bound);
            case ADD_SCALAR -> addScalar(x, xi, y, yi, bound, p);
            case MUL_SCALAR -> mulScalar(x, xi, y, yi, bound, p);
            case EXP -> exp(x, xi, y, yi, bound);
            case SQRT -> sqrt(x, xi, y, yi, bound);
            case RELU -> relu(x, xi, y, yi, bound);
            case GELU -> gelu(x, xi, y, yi, bound);
            case POW -> {
                if (p == 2f) {
                    square(x, xi, y, yi, bound);
                } else if (p == 1f) {
                    System.arraycopy(x, xi, y, yi, bound);
                } else {
                    return 0;
                }
            }
            default -> {
                return 0;
            }
        }
        return bound;
    }

    /** dx = g·f'(x) (from x or y = f(x)) over the vector part of n elements; 0 where op has no vector form. */
    static int derivative(UnaryOp op, float[] x, int xi, float[] y, int yi, float[] g, int gi, float[] dx, int di, int n) {
        int bound = Simd.loopBound(n);
        switch (op) {
            case EXP, SQRT, TANH -> derivativeFromY(op, y, yi, g, gi, dx, di, bound);
            case RELU -> reluDerivative(x, xi, g, gi, dx, di, bound);
            case GELU -> geluDerivative(x, xi, y, yi, g, gi, dx, di, bound);
            default -> {
                return 0;
            }
        }
        return bound;
    }

    private static void neg(float[] x, int xi, float[] y, int yi, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector.fromArray(S, x, xi + i).neg().intoArray(y, yi + i);
        }
    }

    private static void addScalar(float[] x, int xi, float[] y, int yi, int n, float p) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector.fromArray(S, x, xi + i).add(p).intoArray(y, yi + i);
        }
    }

    private static void mulScalar(float[] x, int xi, float[] y, int yi, int n, float p) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector.fromArray(S, x, xi + i).mul(p).intoArray(y, yi + i);
        }
    }

    private static void exp(float[] x, int xi, float[] y, int yi, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FastMath.exp(FloatVector.fromArray(S, x, xi + i)).intoArray(y, yi + i);
        }
    }

    private static void sqrt(float[] x, int xi, float[] y, int yi, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector.fromArray(S, x, xi + i).sqrt().intoArray(y, yi + i);
        }
    }

    private static void relu(float[] x, int xi, float[] y, int yi, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector.fromArray(S, x, xi + i).max(0f).intoArray(y, yi + i);
        }
    }

    private static void gelu(float[] x, int xi, float[] y, int yi, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FastMath.gelu(FloatVector.fromArray(S, x, xi + i)).intoArray(y, yi + i);
        }
    }

    private static void square(float[] x, int xi, float[] y, int yi, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xi + i);
            v.mul(v).intoArray(y, yi + i);
        }
    }

    /** EXP: g·y; SQRT: g·0.5/y; TANH: g·(1 − y²). */
    private static void derivativeFromY(UnaryOp op, float[] y, int yi, float[] g, int gi, float[] dx, int di, int n) {
        switch (op) {
            case EXP -> {
                for (int i = 0; i < n; i += S.length()) {
                    FloatVector.fromArray(S, g, gi + i).mul(FloatVector.fromArray(S, y, yi + i)).intoArray(dx, di + i);
                }
            }
            case SQRT -> {
                for (int i = 0; i < n; i += S.length()) {
                    FloatVector.fromArray(S, g, gi + i).mul(0.5f).div(FloatVector.fromArray(S, y, yi + i)).intoArray(dx, di + i);
                }
            }
            default -> {
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (int i = 0; i < n; i += S.length()) {
                    FloatVector yv = FloatVector.fromArray(S, y, yi + i);
                    FloatVector.fromArray(S, g, gi + i).mul(yv.neg().fma(yv, one)).intoArray(dx, di + i);
                }
            }
        }
    }

    private static void reluDerivative(float[] x, int xi, float[] g, int gi, float[] dx, int di, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector xv = FloatVector.fromArray(S, x, xi + i);
            FloatVector.fromArray(S, g, gi + i).blend(0f, xv.compare(VectorOperators.GT, 0f).not()).intoArray(dx, di + i);
        }
    }

    private static void geluDerivative(float[] x, int xi, float[] y, int yi, float[] g, int gi, float[] dx, int di, int n) {
        for (int i = 0; i < n; i += S.length()) {
            FloatVector d = FastMath.geluDerivative(FloatVector.fromArray(S, x, xi + i), FloatVector.fromArray(S, y, yi + i));
            FloatVector.fromArray(S, g, gi + i).mul(d).intoArray(dx, di + i);
        }
    }
}
