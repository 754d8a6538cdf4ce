package dev.kora4j.backend;

/**
 * The table of elementwise functions of one tensor: each entry carries its function, its derivative
 * beside it, which of x and y = f(x) the derivative reads, and an interval where it is smooth (where
 * the op catalog's tests draw inputs). These double-precision definitions are the reference; the cpu
 * backend vectorises the hot ones and runs the rest from here, and the CUDA kernels take theirs from
 * kernels/unary_ops.def, line by line in this order (the ordinal is the op's code there).
 * {@code p} is the op's scalar parameter (the exponent of POW, the constant of ADD/MUL).
 *
 * <p>A new op is an entry here, a line in unary_ops.def, and (for a name of its own) a method in
 * {@code ops.Pointwise}; its backward, gradcheck and backend parity come with it.
 */
public enum UnaryOp {
    NEG(Reads.NOTHING, -2, 2) {
        public double apply(double x, double p) { return -x; }
        public double derivative(double x, double y, double p) { return -1; }
    },
    ADD_SCALAR(Reads.NOTHING, -2, 2) {
        public double apply(double x, double p) { return x + p; }
        public double derivative(double x, double y, double p) { return 1; }
    },
    MUL_SCALAR(Reads.NOTHING, -2, 2) {
        public double apply(double x, double p) { return x * p; }
        public double derivative(double x, double y, double p) { return p; }
    },
    EXP(Reads.Y, -3, 3) {
        public double apply(double x, double p) { return Math.exp(x); }
        public double derivative(double x, double y, double p) { return y; }
    },
    LOG(Reads.X, 0.2, 3) {
        public double apply(double x, double p) { return Math.log(x); }
        public double derivative(double x, double y, double p) { return 1 / x; }
    },
    SQRT(Reads.Y, 0.2, 3) {
        public double apply(double x, double p) { return Math.sqrt(x); }
        public double derivative(double x, double y, double p) { return 0.5 / y; }
    },
    TANH(Reads.Y, -3, 3) {
        public double apply(double x, double p) { return Math.tanh(x); }
        public double derivative(double x, double y, double p) { return 1 - y * y; }
    },
    RELU(Reads.X, -2, 2) {
        public double apply(double x, double p) { return x > 0 ? x : 0; }
        public double derivative(double x, double y, double p) { return x > 0 ? 1 : 0; }
    },
    /** x^p for a constant p (PyTorch's pow with a scalar exponent). */
    POW(Reads.X, 0.2, 3) {
        public double apply(double x, double p) { return Math.pow(x, p); }
        public double derivative(double x, double y, double p) { return p == 0 ? 0 : p * Math.pow(x, p - 1); }
    },
    /** Exact GELU: 0.5·x·(1 + erf(x/√2)). Reads y too: the cpu backward gets Φ(x) as y/x. */
    GELU(Reads.X_AND_Y, -6, 6) {
        public double apply(double x, double p) { return 0.5 * x * Erf.onePlusErf(x * SQRT1_2); }
        public double derivative(double x, double y, double p) {
            return 0.5 * Erf.onePlusErf(x * SQRT1_2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
        }
    },
    /** GELU with the tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    GELU_TANH(Reads.X, -6, 6) {
        public double apply(double x, double p) { return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))); }
        public double derivative(double x, double y, double p) {
            double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
        }
    },
    /** The logistic function 1/(1 + e^−x), written with e^−|x| so that neither side overflows. */
    SIGMOID(Reads.Y, -8, 8) {
        public double apply(double x, double p) {
            double e = Math.exp(-Math.abs(x));
            return x >= 0 ? 1 / (1 + e) : e / (1 + e);
        }
        public double derivative(double x, double y, double p) { return y * (1 - y); }
    };

    /** What a derivative reads, and so what the forward keeps for backward. */
    public enum Reads {
        /** A constant derivative: backward is the gradient times it, nothing is kept. */
        NOTHING,
        X,
        Y,
        X_AND_Y;

        public boolean x() {
            return this == X || this == X_AND_Y;
        }

        public boolean y() {
            return this == Y || this == X_AND_Y;
        }
    }

    static final double SQRT1_2 = Math.sqrt(0.5);
    static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private final Reads reads;
    private final double smoothFrom;
    private final double smoothTo;
    private final String opName;

    UnaryOp(Reads reads, double smoothFrom, double smoothTo) {
        this.opName = name().toLowerCase(java.util.Locale.ROOT); // once, not on every recorded op
        this.reads = reads;
        this.smoothFrom = smoothFrom;
        this.smoothTo = smoothTo;
    }

    public abstract double apply(double x, double p);

    /** d apply / dx at x, where y = apply(x, p) is given for rules that read better with it. */
    public abstract double derivative(double x, double y, double p);

    /** Which of x and y the derivative reads. */
    public Reads reads() {
        return reads;
    }

    /** The lower end of an interval where the op is smooth and finite (for any parameter tests use). */
    public double smoothFrom() {
        return smoothFrom;
    }

    /** The upper end of that interval. */
    public double smoothTo() {
        return smoothTo;
    }

    /** The op's name on the tape and in errors: lower case, as PyTorch spells it. */
    public String opName() {
        return opName;
    }
}
