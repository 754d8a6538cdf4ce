package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums and maxima over dims of F32 tensors. A contiguous tensor is seen as [outer, r, inner]
 * around its last summed block of dims; r is cut into pieces of a fixed size whose partial sums
 * are added in order, so the result is the same for any thread count.
 */
final class Reduce {
    private static final VectorSpecies<Float> S = Simd.F32;

    private Reduce() {}

    static void sum(Tensor x, int[] dims, Tensor out) {
        Tensor xc = contiguous(x);
        boolean[] reduced = new boolean[x.rank()];
        for (int d : dims) {
            reduced[d] = true;
        }
        // Collapse into groups of adjacent dims that are all summed or all kept.
        List<int[]> groups = new ArrayList<>(); // {size, 1 if summed}
        for (int d = 0; d < x.rank(); d++) {
            if (x.size(d) == 1) {
                continue;
            }
            int flag = reduced[d] ? 1 : 0;
            if (!groups.isEmpty() && groups.getLast()[1] == flag) {
                groups.getLast()[0] *= x.size(d);
            } else {
                groups.add(new int[] {x.size(d), flag});
            }
        }
        int last = -1;
        for (int g = 0; g < groups.size(); g++) {
            last = groups.get(g)[1] == 1 ? g : last;
        }
        if (last < 0) { // nothing of size > 1 is summed: a copy
            System.arraycopy(xc.floats(), xc.offset(), out.floats(), out.offset(), out.numel());
            return;
        }
        int outer = 1, inner = 1;
        for (int g = 0; g < last; g++) {
            outer *= groups.get(g)[0];
        }
        for (int g = last + 1; g < groups.size(); g++) {
            inner *= groups.get(g)[0];
        }
        int r = groups.get(last)[0];
        boolean more = false;
        for (int g = 0; g < last; g++) {
            more |= groups.get(g)[1] == 1;
        }
        if (!more) {
            sumMiddle(xc.floats(), xc.offset(), outer, r, inner, out.floats(), out.offset());
            return;
        }
        // Sum the last block, then the remaining summed dims of what is left.
        float[] partial = new float[outer * inner];
        sumMiddle(xc.floats(), xc.offset(), outer, r, inner, partial, 0);
        int[] shape = new int[last + 1];
        List<Integer> restDims = new ArrayList<>();
        for (int g = 0; g < last; g++) {
            shape[g] = groups.get(g)[0];
            if (groups.get(g)[1] == 1) {
                restDims.add(g);
            }
        }
        shape[last] = inner;
        Tensor rest = Tensor.of(partial, shape);
        int[] restOut = shape.clone();
        for (int g : restDims) {
            restOut[g] = 1;
        }
        Tensor target = new Tensor(out.storage(), restOut, Shape.contiguousStrides(restOut), out.offset(), out.device());
        sum(rest, restDims.stream().mapToInt(Integer::intValue).toArray(), target);
    }

    /** out[o, j] = Σ_k x[o, k, j] over a contiguous [outer, r, inner] block. */
    private static void sumMiddle(float[] x, int xOff, int outer, int r, int inner, float[] out, int outOff) {
        int piece = Math.max(1, Elementwise.CHUNK / inner);
        int pieces = (r + piece - 1) / piece;
        float[] partials = new float[outer * pieces * inner];
        Parallel.forEach(outer * pieces, task -> {
            int o = task / pieces, p = task % pieces;
            int from = p * piece, to = Math.min(r, from + piece);
            int dst = task * inner;
            if (inner == 1) {
                partials[dst] = sumRow(x, xOff + o * r + from, to - from);
            } else {
                for (int k = from; k < to; k++) {
                    addRow(x, xOff + (o * r + k) * inner, partials, dst, inner);
                }
            }
        });
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                float s = 0;
                for (int p = 0; p < pieces; p++) {
                    s += partials[(o * pieces + p) * inner + j];
                }
                out[outOff + o * inner + j] = s;
            }
        }
    }

    /** Sum of n contiguous floats: four vector accumulators, lanes added in a fixed order. */
    static float sumRow(float[] x, int at, int n) {
        int i = 0;
        float total = 0;
        int step = 4 * S.length();
        if (Simd.ENABLED && n >= step) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int bound = n - n % step; i < bound; i += step) {
                s0 = s0.add(FloatVector.fromArray(S, x, at + i));
                s1 = s1.add(FloatVector.fromArray(S, x, at + i + S.length()));
                s2 = s2.add(FloatVector.fromArray(S, x, at + i + 2 * S.length()));
                s3 = s3.add(FloatVector.fromArray(S, x, at + i + 3 * S.length()));
            }
            total = lanesInOrder(s0.add(s1).add(s2.add(s3)));
        }
        for (; i < n; i++) {
            total += x[at + i];
        }
        return total;
    }

    /**
     * Adds the lanes left to right (reduceLanes may pick any order, which would change bits). Kept
     * tiny so that it always inlines: a vector passed to a call that is not inlined is boxed on the
     * heap. The lanes go through a per-thread array (toArray would make one per row).
     */
    static float lanesInOrder(FloatVector v) {
        float[] lanes = LANES.get();
        v.intoArray(lanes, 0);
        return sumInOrder(lanes);
    }

    private static float sumInOrder(float[] lanes) {
        float s = 0;
        for (float lane : lanes) {
            s += lane;
        }
        return s;
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[S.length()]);

    /** dst[0..n) += src[0..n). */
    private static void addRow(float[] src, int si, float[] dst, int di, int n) {
        int i = 0;
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, dst, di + i).add(FloatVector.fromArray(S, src, si + i)).intoArray(dst, di + i);
        }
        for (; i < n; i++) {
            dst[di + i] += src[si + i];
        }
    }

    /** Maximum along dim (first maximum wins; NaN propagates). */
    static void max(Tensor x, int dim, Tensor out, int[] argmax) {
        Tensor xc = contiguous(x);
        float[] xs = xc.floats();
        float[] os = out.floats();
        int r = x.size(dim);
        int inner = 1;
        for (int d = dim + 1; d < x.rank(); d++) {
            inner *= x.size(d);
        }
        int outer = x.numel() / Math.max(1, r * inner);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = xc.offset() + o * r * inner + j;
                float best = xs[base];
                int at = 0;
                for (int k = 1; k < r && !Float.isNaN(best); k++) {
                    float v = xs[base + k * inner];
                    if (v > best || Float.isNaN(v)) {
                        best = v;
                        at = k;
                    }
                }
                os[out.offset() + o * inner + j] = best;
                argmax[o * inner + j] = at;
            }
        }
    }

    private static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) {
            return x;
        }
        Tensor c = Tensor.zeros(x.dtype(), x.device(), x.shape());
        Elementwise.copy(x, c);
        return c;
    }
}
