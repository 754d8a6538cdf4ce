package dev.kora4j.backend;

/**
 * Elementwise functions, each with its derivative beside it. These double-precision definitions are
 * the reference; backends may compute them faster (the cpu backend vectorises them).
 * {@code p} is the op's scalar parameter (the exponent of POW, the constant of ADD/MUL).
 */
public enum UnaryOp {
    NEG {
        public double apply(double x, double p) { return -x; }
        public double derivative(double x, double y, double p) { return -1; }
    },
    ADD_SCALAR {
        public double apply(double x, double p) { return x + p; }
        public double derivative(double x, double y, double p) { return 1; }
    },
    MUL_SCALAR {
        public double apply(double x, double p) { return x * p; }
        public double derivative(double x, double y, double p) { return p; }
    },
    EXP {
        public double apply(double x, double p) { return Math.exp(x); }
        public double derivative(double x, double y, double p) { return y; }
    },
    LOG {
        public double apply(double x, double p) { return Math.log(x); }
        public double derivative(double x, double y, double p) { return 1 / x; }
    },
    SQRT {
        public double apply(double x, double p) { return Math.sqrt(x); }
        public double derivative(double x, double y, double p) { return 0.5 / y; }
    },
    TANH {
        public double apply(double x, double p) { return Math.tanh(x); }
        public double derivative(double x, double y, double p) { return 1 - y * y; }
    },
    RELU {
        public double apply(double x, double p) { return x > 0 ? x : 0; }
        public double derivative(double x, double y, double p) { return x > 0 ? 1 : 0; }
    },
    /** x^p for a constant p (PyTorch's pow with a scalar exponent). */
    POW {
        public double apply(double x, double p) { return Math.pow(x, p); }
        public double derivative(double x, double y, double p) { return p == 0 ? 0 : p * Math.pow(x, p - 1); }
    },
    /** Exact GELU: 0.5·x·(1 + erf(x/√2)). */
    GELU {
        public double apply(double x, double p) { return 0.5 * x * Erf.onePlusErf(x * SQRT1_2); }
        public double derivative(double x, double y, double p) {
            return 0.5 * Erf.onePlusErf(x * SQRT1_2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
        }
    },
    /** GELU with the tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    GELU_TANH {
        public double apply(double x, double p) { return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))); }
        public double derivative(double x, double y, double p) {
            double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
        }
    };

    static final double SQRT1_2 = Math.sqrt(0.5);
    static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    public abstract double apply(double x, double p);

    /** d apply / dx at x, where y = apply(x, p) is given for rules that read better with it. */
    public abstract double derivative(double x, double y, double p);
}
