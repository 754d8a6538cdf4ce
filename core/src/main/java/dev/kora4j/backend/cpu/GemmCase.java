package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Rng;

/**
 * One benchmark product, named "MxKxNxlayout[xbatch]" ('x', since JMH's -p splits values at commas):
 * layout is two letters, n (row-major) or t (stored transposed), for A [M,K] and B [K,N], plus "+"
 * when C is accumulated into; a batch runs that many independent products, one serial GEMM each on
 * the pool, as attention does per (image, head). The autotuner and JMH's GemmBenchmark time these.
 */
public final class GemmCase {
    public final String name;
    private final int m, k, n, batch;
    private final boolean transA, transB, accumulate;
    private final float[] a, b, c;

    /** Parses the name and fills A and B with uniform values in [-0.5, 0.5) from rng. */
    public GemmCase(String name, Rng rng) {
        this.name = name;
        String[] parts = name.split("x");
        m = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        transA = parts[3].charAt(0) == 't';
        transB = parts[3].charAt(1) == 't';
        accumulate = parts[3].endsWith("+");
        batch = parts.length > 4 ? Integer.parseInt(parts[4]) : 1;
        a = fill(rng, batch * m * k);
        b = fill(rng, batch * k * n);
        c = new float[batch * m * n];
    }

    private static float[] fill(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextDouble() - 0.5f;
        }
        return x;
    }

    /** Whether p and q cut this product alike (the same k-blocks, rows per task and panel width). */
    boolean blockedAlike(GemmParams p, GemmParams q) {
        Gemm.Matrix first = a(0);
        return p.kcFor(k, first) == q.kcFor(k, first) && p.mc() == q.mc() && p.panelWidth(n) == q.panelWidth(n);
    }

    public double flops() {
        return 2.0 * m * k * n * batch;
    }

    private Gemm.Matrix a(int i) {
        return transA ? new Gemm.Matrix(a, i * m * k, 1, m) : new Gemm.Matrix(a, i * m * k, k, 1);
    }

    private Gemm.Matrix b(int i) {
        return transB ? new Gemm.Matrix(b, i * k * n, 1, k) : new Gemm.Matrix(b, i * k * n, n, 1);
    }

    /** Runs the product with the blocking in use ({@link CpuTuning#current}); returns C. */
    public float[] run() {
        return run(CpuTuning.current());
    }

    float[] run(GemmParams params) {
        if (batch == 1) {
            Gemm.multiply(params, m, n, k, a(0), b(0), c, 0, n, accumulate);
        } else {
            Parallel.forEach(batch, i -> Gemm.multiplySerial(params, m, n, k, a(i), b(i), c, i * m * n, n, accumulate));
        }
        return c;
    }
}
