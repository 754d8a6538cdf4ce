package dev.kora4j.ops;

import dev.kora4j.Tolerance;
import dev.kora4j.autograd.CustomOp;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.peft.DoraOp;
import dev.kora4j.peft.LoraOp;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Every op with shapes that cover size-1 dims, odd sizes, broadcasting and strided views. */
final class OpCatalog {
    private OpCatalog() {}

    static int[] s(int... shape) {
        return shape;
    }

    /** Small cases: cheap enough for F64 finite differences on the reference backend. */
    static List<OpCase> small() {
        List<OpCase> c = new ArrayList<>();
        binary(c, "add", Tensor::add);
        binary(c, "sub", Tensor::sub);
        binary(c, "mul", Tensor::mul);
        c.add(new OpCase("div", in -> in[0].div(in[1]), 0.5, 2, s(3, 4), s(4)).within(Tolerance.POINTWISE));
        c.add(new OpCase("div", in -> in[0].div(in[1].t()), 0.5, 2, s(3, 1), s(4, 3)).within(Tolerance.POINTWISE));
        for (UnaryOp op : UnaryOp.values()) { // every entry of the table, so a new op is tested when it is added
            unary(c, op.opName(), x -> Pointwise.apply(op, x), op.smoothFrom(), op.smoothTo());
        }
        unary(c, "add_scalar 1.5", x -> x.add(1.5), -2, 2);
        unary(c, "mul_scalar -0.75", x -> x.mul(-0.75), -2, 2);
        unary(c, "pow2", x -> x.pow(2), -2, 2);
        unary(c, "pow3", x -> x.pow(3), -2, 2);
        unary(c, "pow_half", x -> x.pow(0.5), 0.2, 3);
        unary(c, "gelu", Tensor::gelu, -6, 6);
        unary(c, "custom op (softplus)", x -> CustomOp.apply("softplus", SOFTPLUS, x), -4, 4);

        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(3, 4), s(4, 5)));
        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(1, 7), s(7, 1)));
        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(2, 3, 4), s(4, 5)));
        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(2, 3, 4), s(2, 4, 5)));
        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(1, 3, 4), s(2, 4, 2)));
        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(5), s(5, 3)));
        c.add(new OpCase("matmul", in -> in[0].matmul(in[1]), s(3, 5), s(5)));
        c.add(new OpCase("matmul transposed", in -> in[0].t().matmul(in[1].t()), s(4, 3), s(5, 4)));
        c.add(new OpCase("matmul batched transposed", in -> in[0].matmul(in[1].transpose(1, 2)), s(2, 3, 4), s(2, 5, 4)));
        c.add(new OpCase("linear", in -> MatMul.linear(in[0], in[1], in[2]), s(2, 3, 4), s(5, 4), s(5)));
        c.add(new OpCase("linear", in -> MatMul.linear(in[0], in[1], in[2]), s(2, 3, 4), s(5, 4), s(5)).frozen(1));
        c.add(new OpCase("linear", in -> MatMul.linear(in[0], in[1], in[2]), s(2, 3, 4), s(5, 4), s(5)).frozen(0));
        c.add(new OpCase("lora linear", in -> dev.kora4j.peft.LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 0.7),
                s(2, 3, 5), s(4, 5), s(4), s(2, 5), s(4, 2)));
        c.add(new OpCase("lora linear", in -> dev.kora4j.peft.LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 1.5),
                s(3, 5), s(4, 5), s(4), s(3, 5), s(4, 3)).frozen(1).frozen(2));
        c.add(new OpCase("linear no bias", in -> MatMul.linear(in[0].t(), in[1], null), s(4, 3), s(2, 4)));
        c.add(new OpCase("linear gelu", in -> MatMul.linear(in[0], in[1], in[2], LinearTail.GELU), s(2, 3, 4), s(5, 4), s(5)));
        c.add(new OpCase("linear residual", in -> MatMul.linear(in[0], in[1], in[2], LinearTail.residual(in[3])),
                s(2, 3, 4), s(5, 4), s(5), s(2, 3, 5)).frozen(1));
        c.add(new OpCase("linear residual view", in -> MatMul.linear(in[0], in[1], null, LinearTail.residual(in[2].t())),
                s(3, 4), s(5, 4), s(5, 3)));
        c.add(new OpCase("lora linear gelu", in -> LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 0.7, LinearTail.GELU),
                s(2, 3, 5), s(4, 5), s(4), s(2, 5), s(4, 2)).frozen(1).frozen(2));
        c.add(new OpCase("lora linear residual", in -> LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 1.5, LinearTail.residual(in[5])),
                s(3, 5), s(4, 5), s(4), s(3, 5), s(4, 3), s(3, 4)));
        // DoRA's norm of W + s·B·A is a constant to its backward (as in PEFT), so only x, the bias and the
        // magnitude have gradients a finite difference can check; DoraOpTest checks A and B against the composition
        c.add(new OpCase("dora linear", in -> DoraOp.linear(in[0], in[1], in[2], in[3], in[4], in[5], 0.7, LinearTail.NONE),
                s(2, 3, 5), s(4, 5), s(4), s(2, 5), s(4, 2), s(4)).frozen(1).frozen(3).frozen(4));
        c.add(new OpCase("dora linear gelu", in -> DoraOp.linear(in[0], in[1], in[2], in[3], in[4], in[5], 1.5, LinearTail.GELU),
                s(3, 5), s(4, 5), s(4), s(3, 5), s(4, 3), s(4)).frozen(1).frozen(3).frozen(4));
        c.add(new OpCase("dora linear residual", in -> DoraOp.linear(in[0], in[1], null, in[2], in[3], in[4], 1.2, LinearTail.residual(in[5])),
                s(3, 5), s(4, 5), s(2, 5), s(4, 2), s(4), s(3, 4)).frozen(1).frozen(2).frozen(3));

        c.add(new OpCase("sum all", in -> in[0].sum(), s(3, 4, 5)));
        c.add(new OpCase("sum dim 1", in -> in[0].sum(false, 1), s(3, 4, 5)));
        c.add(new OpCase("sum dims 0,2 keepdim", in -> in[0].sum(true, 0, 2), s(3, 4, 5)));
        c.add(new OpCase("sum dim -1 of view", in -> in[0].transpose(0, 1).sum(false, -1), s(3, 1, 5)));
        c.add(new OpCase("mean dim 0", in -> in[0].mean(false, 0), s(6, 3)));
        c.add(new OpCase("mean all", in -> in[0].mean(), s(2, 3)));
        c.add(new OpCase("max dim 1", in -> in[0].max(1, false), s(3, 5, 2)));
        c.add(new OpCase("max dim 0 keepdim", in -> in[0].max(0, true), s(4, 3)));

        c.add(new OpCase("softmax last", in -> in[0].softmax(-1), s(3, 7)));
        c.add(new OpCase("softmax dim 0", in -> in[0].softmax(0), s(4, 3, 2)));
        c.add(new OpCase("softmax of view", in -> in[0].t().softmax(1), s(5, 3)));
        c.add(new OpCase("log_softmax last", in -> in[0].logSoftmax(-1), s(2, 3, 6)));
        c.add(new OpCase("log_softmax dim 1", in -> in[0].logSoftmax(1), s(2, 5, 3)));
        c.add(new OpCase("layer_norm", in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-6), s(3, 7), s(7), s(7)));
        c.add(new OpCase("layer_norm", in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-5), s(2, 3, 5), s(5), s(5)).frozen(1));
        c.add(new OpCase("layer_norm of view", in -> LayerNorm.layerNorm(in[0].t(), in[1], in[2], 1e-6), s(6, 4), s(6), s(6)));
        c.add(new OpCase("dropout", in -> in[0].dropout(0.3, new Rng(11), true), s(4, 5)).within(Tolerance.POINTWISE));
        c.add(new OpCase("cross_entropy", in -> CrossEntropy.crossEntropy(in[0], new int[] {0, 6, 3, 3}), s(4, 7)));
        c.add(new OpCase("cross_entropy smoothed", in -> CrossEntropy.crossEntropy(in[0], new int[] {2, 0, 1}, 0.1), s(3, 5)));

        c.add(new OpCase("concat dim 1", in -> Joins.concat(1, in[0], in[1].t(), in[2]), s(2, 3), s(1, 2), s(2, 2)).within(Tolerance.POINTWISE));
        c.add(new OpCase("concat dim 0", in -> Joins.concat(0, in[0], in[1]), s(1, 3), s(2, 3)).within(Tolerance.POINTWISE));
        c.add(new OpCase("split", in -> {
            Tensor[] parts = Joins.split(in[0], 1, 2, 3, 1);
            return parts[0].sum(false, 1).mul(parts[2].sum(false, 1)).add(parts[1].exp().sum(false, 1));
        }, s(3, 6)));
        c.add(new OpCase("stack", in -> Joins.stack(1, in[0], in[1].t(), in[2]), s(2, 3), s(3, 2), s(2, 3)).within(Tolerance.POINTWISE));
        c.add(new OpCase("patches", in -> Patches.extract(in[0], 2), s(2, 3, 4, 6)).within(Tolerance.POINTWISE));
        c.add(new OpCase("class token", in -> in[0].select(1, 0), s(2, 5, 3)).within(Tolerance.POINTWISE));
        c.add(new OpCase("attention", in -> Attention.selfAttention(in[0], 2, 0.3), s(2, 5, 12)));
        c.add(new OpCase("attention one head", in -> Attention.selfAttention(in[0], 1, 0.5), s(1, 3, 9)));
        c.add(new OpCase("attention (unfused oracle)", in -> dev.kora4j.nn.Attention.unfused(in[0], 2, 0.3), s(2, 5, 12)));

        c.add(new OpCase("reshape", in -> in[0].reshape(4, -1).mul(in[1]), s(2, 3, 2), s(3)).within(Tolerance.POINTWISE));
        c.add(new OpCase("permute", in -> in[0].permute(2, 0, 1).exp(), s(2, 3, 4)).within(Tolerance.POINTWISE));
        c.add(new OpCase("narrow", in -> in[0].narrow(1, 1, 2).exp(), s(3, 4)).within(Tolerance.POINTWISE));
        c.add(new OpCase("expand", in -> in[0].expand(3, 4).mul(in[1]), s(1, 4), s(3, 4)).within(Tolerance.POINTWISE));
        c.add(new OpCase("contiguous", in -> in[0].t().contiguous().mul(in[1]), s(3, 4), s(4, 3)).within(Tolerance.POINTWISE));
        c.add(new OpCase("unsqueeze squeeze", in -> in[0].unsqueeze(1).squeeze(1).mul(in[0]), s(3, 2)).within(Tolerance.POINTWISE));
        return c;
    }

    /** A user's op (autograd.CustomOp) from primitives, so that it runs, and is checked, on every backend. */
    private static final CustomOp SOFTPLUS = new CustomOp() {
        public Tensor forward(CustomOp.Context ctx, Tensor... in) {
            ctx.save("x", in[0]);
            return in[0].exp().add(1).log();                          // log(1 + eˣ)
        }

        public Tensor[] backward(CustomOp.Context ctx, Tensor g) {
            return new Tensor[] {g.mul(Pointwise.sigmoid(ctx.saved("x")))}; // d/dx = σ(x)
        }
    };

    private static void binary(List<OpCase> c, String name, java.util.function.BinaryOperator<Tensor> op) {
        c.add(new OpCase(name, in -> op.apply(in[0], in[1]), s(3, 5), s(3, 5)).within(Tolerance.POINTWISE));
        c.add(new OpCase(name + " broadcast", in -> op.apply(in[0], in[1]), s(4, 1, 5), s(3, 1)).within(Tolerance.POINTWISE));
        c.add(new OpCase(name + " broadcast rank", in -> op.apply(in[0], in[1]), s(7), s(2, 7)).within(Tolerance.POINTWISE));
        c.add(new OpCase(name + " scalar-like", in -> op.apply(in[0], in[1]), s(1), s(3, 4)).within(Tolerance.POINTWISE));
        c.add(new OpCase(name + " of views", in -> op.apply(in[0].t(), in[1].narrow(0, 1, 4)), s(3, 4), s(6, 3)).within(Tolerance.POINTWISE));
    }

    private static void unary(List<OpCase> c, String name, Function<Tensor, Tensor> op, double lo, double hi) {
        c.add(new OpCase(name, in -> op.apply(in[0]), lo, hi, s(17)).within(Tolerance.POINTWISE));
        c.add(new OpCase(name, in -> op.apply(in[0]), lo, hi, s(2, 1, 5)).within(Tolerance.POINTWISE));
        c.add(new OpCase(name + " of view", in -> op.apply(in[0].t()), lo, hi, s(5, 7)).within(Tolerance.POINTWISE));
    }

    /**
     * Larger cases for cpu-vs-reference parity only: rows longer than a vector, tails, GEMM edge
     * tiles and several k-blocks, row counts that span several parallel tasks.
     */
    static List<OpCase> large() {
        List<OpCase> c = new ArrayList<>();
        c.add(new OpCase("gemm edges", in -> in[0].matmul(in[1]), s(37, 300), s(300, 53)));
        c.add(new OpCase("gemm k blocks", in -> in[0].matmul(in[1].t()), s(130, 600), s(70, 600)));
        c.add(new OpCase("gemm tall", in -> in[0].t().matmul(in[1]), s(257, 140), s(257, 96)));
        c.add(new OpCase("bmm attention", in -> in[0].matmul(in[1].transpose(-2, -1)).softmax(-1).matmul(in[0]), s(2, 3, 65, 16), s(2, 3, 65, 16)).within(Tolerance.CHAINS));
        c.add(new OpCase("linear big", in -> MatMul.linear(in[0], in[1], in[2]).gelu(), s(4, 65, 48), s(100, 48), s(100)));
        c.add(new OpCase("lora linear big", in -> dev.kora4j.peft.LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 1.0),
                s(4, 65, 48), s(144, 48), s(144), s(8, 48), s(144, 8)).frozen(1).frozen(2));
        c.add(new OpCase("linear gelu big", in -> MatMul.linear(in[0], in[1], in[2], LinearTail.GELU), s(4, 65, 48), s(100, 48), s(100)));
        c.add(new OpCase("linear residual k blocks", in -> MatMul.linear(in[0], in[1], in[2], LinearTail.residual(in[3])),
                s(2, 70, 300), s(50, 300), s(50), s(2, 70, 50)).frozen(1));
        c.add(new OpCase("linear thin residual", in -> MatMul.linear(in[0], in[1], in[2], LinearTail.residual(in[3])),
                s(37, 32), s(8, 32), s(8), s(37, 8)));
        c.add(new OpCase("lora linear gelu k blocks", in -> LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 0.5, LinearTail.GELU),
                s(3, 70, 300), s(50, 300), s(50), s(8, 300), s(50, 8)).frozen(1).frozen(2).within(Tolerance.CHAINS));
        c.add(new OpCase("lora linear residual big", in -> LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 1.0, LinearTail.residual(in[5])),
                s(4, 65, 48), s(144, 48), s(144), s(8, 48), s(144, 8), s(4, 65, 144)).frozen(1).frozen(2));
        c.add(new OpCase("lora linear residual 64-wide panels", in -> LoraOp.linear(in[0], in[1], in[2], in[3], in[4], 0.8, LinearTail.residual(in[5])),
                s(3, 70, 48), s(128, 48), s(128), s(8, 48), s(128, 8), s(3, 70, 128)).frozen(1).frozen(2));
        c.add(new OpCase("dora linear residual big", in -> DoraOp.linear(in[0], in[1], in[2], in[3], in[4], in[5], 1.0, LinearTail.residual(in[6])),
                s(4, 65, 48), s(144, 48), s(144), s(8, 48), s(144, 8), s(144), s(4, 65, 144)).frozen(1).frozen(3).frozen(4));
        c.add(new OpCase("gelu wide", in -> in[0].gelu(), -8, 8, s(999, 71)).within(Tolerance.POINTWISE));
        c.add(new OpCase("exp wide", in -> in[0].exp(), -20, 20, s(50, 333)).within(Tolerance.POINTWISE));
        c.add(new OpCase("add bias", in -> in[0].add(in[1]), s(300, 77), s(77))); // the bias gradient sums 300 rows
        c.add(new OpCase("mul columns", in -> in[0].mul(in[1]), s(300, 77), s(300, 1))); // the column gradient sums 77
        c.add(new OpCase("sum rows", in -> in[0].sum(false, 0), s(20000, 3)));
        c.add(new OpCase("sum long row", in -> in[0].sum(), s(100003)));
        c.add(new OpCase("sum middle", in -> in[0].sum(true, 1), s(3, 5000, 7)));
        c.add(new OpCase("softmax wide", in -> in[0].softmax(-1), -10, 10, s(300, 197)));
        c.add(new OpCase("log_softmax wide", in -> in[0].logSoftmax(-1), -10, 10, s(60, 1000)));
        c.add(new OpCase("layer_norm wide", in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-6), s(300, 192), s(192), s(192)));
        c.add(new OpCase("cross_entropy wide", in -> CrossEntropy.crossEntropy(in[0], labels(200, 100), 0.1), -5, 5, s(200, 100)));
        c.add(new OpCase("patches vit", in -> Patches.extract(in[0], 4), s(3, 3, 32, 32)).within(Tolerance.POINTWISE));
        c.add(new OpCase("attention vit", in -> Attention.selfAttention(in[0], 3, 0.125), s(3, 65, 3 * 48)));
        return c;
    }

    static int[] labels(int n, int classes) {
        Rng rng = new Rng(n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
        }
        return labels;
    }
}
