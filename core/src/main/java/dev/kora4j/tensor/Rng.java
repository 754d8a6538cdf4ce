package dev.kora4j.tensor;

/**
 * A small seeded generator (xoshiro256**, seeded through splitmix64). Every random tensor, dropout
 * mask and shuffle draws from one of these, in a fixed order, so a seed fixes every bit.
 */
public final class Rng {
    private long s0, s1, s2, s3;

    public Rng(long seed) {
        long x = seed;
        s0 = splitmix(x += 0x9E3779B97F4A7C15L);
        s1 = splitmix(x += 0x9E3779B97F4A7C15L);
        s2 = splitmix(x += 0x9E3779B97F4A7C15L);
        s3 = splitmix(x + 0x9E3779B97F4A7C15L);
    }

    /** splitmix64's finaliser: a bijection of 64-bit words that mixes every bit into every other. */
    public static long splitmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** Standard normal by Box–Muller (one of the pair; simple and fully determined by the stream). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // in (0, 1]: log stays finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** The generator's position, for checkpoints. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3};
    }

    /** Continues from a position taken with {@link #state()}. */
    public void restore(long[] state) {
        if (state.length != 4) {
            throw new IllegalArgumentException("an Rng state has 4 words, got " + state.length);
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
    }

    /** A generator for a sub-stream, so that separate consumers do not depend on each other's draws. */
    public Rng fork() {
        return new Rng(nextLong());
    }

    /** Fisher–Yates shuffle of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
