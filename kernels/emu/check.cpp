// Runs every kernel of ../module.cu on the CPU emulator (cuda_emu.h) against plain double loops,
// on small random shapes (odd sizes, several blocks, the ViT token counts 65 and 197 in attention).
// Launch shapes follow the Java host (CudaBackend, CudaFused, CudaGemm). Prints one line per check;
// exits 1 if any fails. Build and run with run.sh.
#include "cuda_emu.h"
#include "module.cu"

#include <cstdio>
#include <random>
#include <string>

static std::mt19937_64 gen(20261129);
static int failures = 0, checks = 0;

static std::vector<float> rnd(size_t n, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<float> v(n);
    for (auto &x : v) x = (float) u(gen);
    return v;
}

// Runs one grid on the stand-in's engine; a grid that cannot finish is a failed check.
static void emu_launch(dim3 grid, unsigned threads, size_t shared, const std::function<void()> &kernel) {
    std::string error = emu::run_grid(grid, dim3{threads, 1, 1}, shared, kernel);
    if (!error.empty()) {
        std::printf("FAIL launch: %s\n", error.c_str());
        failures++;
    }
}

static std::vector<float> nan_filled(size_t n) { return std::vector<float>(n, NAN); }

// |got − want| ≤ rtol·(|want| + 0.1·max|want|) everywhere (as Asserts.assertCloseScaled, roughly).
static void close(const std::string &what, const std::vector<float> &got, const std::vector<double> &want, double rtol) {
    checks++;
    double mx = 0;
    for (double w : want) if (!std::isnan(w)) mx = std::max(mx, std::fabs(w));
    for (size_t i = 0; i < want.size(); i++) {
        double g = got[i], w = want[i];
        if (std::isnan(g) && std::isnan(w)) continue;  // NaN in, NaN out
        if (!(std::fabs(g - w) <= rtol * (std::fabs(w) + 0.1 * mx + 1e-30))) {
            std::printf("FAIL %s: element %zu: want %.9g, got %.9g\n", what.c_str(), i, w, g);
            failures++;
            return;
        }
    }
    std::printf("ok   %s (%zu values)\n", what.c_str(), want.size());
}

static void same_bits(const std::string &what, const std::vector<float> &a, const std::vector<float> &b) {
    checks++;
    if (a.size() != b.size() || std::memcmp(a.data(), b.data(), a.size() * 4) != 0) {
        std::printf("FAIL %s: bits differ\n", what.c_str());
        failures++;
        return;
    }
    std::printf("ok   %s (identical bits)\n", what.c_str());
}

static Layout layout(std::vector<int> shape, std::vector<int> stride) {
    Layout l{};
    l.rank = (int) shape.size();
    for (size_t i = 0; i < shape.size(); i++) { l.shape[i] = shape[i]; l.stride[i] = stride[i]; }
    return l;
}

static unsigned row_threads(int cols) { return (unsigned) std::max(32, std::min(256, (cols + 31) / 32 * 32)); }
static unsigned blocks_for(long n) { return (unsigned) std::max(1L, std::min((n + 255) / 256, 3L)); }  // few blocks: the grid-stride loop is exercised

static double gelu_d(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
static double gelu_grad_d(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)) + x * std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }

static void elementwise() {
    // map and its backward on a transposed [5, 7] view of a [7, 5] buffer, for a few ops
    int rows = 5, cols = 7;
    long n = rows * cols;
    Layout lt = layout({rows, cols}, {1, rows}), lc = layout({rows, cols}, {cols, 1});
    auto x = rnd(n, 0.2, 3), g = rnd(n, -1, 1);
    struct { int op; const char *name; } ops[] = {{OP_EXP, "exp"}, {OP_LOG, "log"}, {OP_SQRT, "sqrt"}, {OP_TANH, "tanh"},
                                                   {OP_POW, "pow"}, {OP_GELU, "gelu"}, {OP_GELU_TANH, "gelu_tanh"}, {OP_NEG, "neg"}};
    for (auto o : ops) {
        auto y = nan_filled(n), dx = nan_filled(n);
        float p = 1.7f;
        emu_launch({blocks_for(n)}, 256, 0, [&] { map_forward(o.op, p, x.data(), lt, y.data(), lc, n); });
        emu_launch({blocks_for(n)}, 256, 0, [&] { map_backward(o.op, p, x.data(), lt, y.data(), lc, g.data(), lc, dx.data(), lc, n); });
        std::vector<double> wy(n), wd(n);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                double xv = x[j * rows + i], yv, d;
                switch (o.op) {
                    case OP_EXP: yv = std::exp(xv); d = yv; break;
                    case OP_LOG: yv = std::log(xv); d = 1 / xv; break;
                    case OP_SQRT: yv = std::sqrt(xv); d = 0.5 / yv; break;
                    case OP_TANH: yv = std::tanh(xv); d = 1 - yv * yv; break;
                    case OP_POW: yv = std::pow(xv, 1.7); d = 1.7 * std::pow(xv, 0.7); break;
                    case OP_GELU: yv = gelu_d(xv); d = gelu_grad_d(xv); break;
                    case OP_GELU_TANH: {
                        double k = std::sqrt(2 / M_PI), t = std::tanh(k * (xv + 0.044715 * xv * xv * xv));
                        yv = 0.5 * xv * (1 + t);
                        d = 0.5 * (1 + t) + 0.5 * xv * (1 - t * t) * k * (1 + 3 * 0.044715 * xv * xv);
                        break;
                    }
                    default: yv = -xv; d = -1;
                }
                wy[i * cols + j] = yv;
                wd[i * cols + j] = g[i * cols + j] * d;
            }
        close(std::string("map ") + o.name, y, wy, 1e-5);
        close(std::string("map_backward ") + o.name, dx, wd, 1e-4);
    }
    // zip with broadcasts: a [4, 1, 6] and b [3, 1] expanded to [4, 3, 6]
    auto a = rnd(24, -2, 2), b = rnd(3, 0.5, 2);
    long m = 4 * 3 * 6;
    for (int op : {BOP_ADD, BOP_SUB, BOP_MUL, BOP_DIV}) {
        auto out = nan_filled(m);
        emu_launch({blocks_for(m)}, 256, 0, [&] {
            zip(op, a.data(), layout({4, 3, 6}, {6, 0, 1}), b.data(), layout({4, 3, 6}, {0, 1, 0}), out.data(), layout({4, 3, 6}, {18, 6, 1}), m);
        });
        std::vector<double> want(m);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 6; k++) {
                    double av = a[i * 6 + k], bv = b[j];
                    want[(i * 3 + j) * 6 + k] = op == BOP_ADD ? av + bv : op == BOP_SUB ? av - bv : op == BOP_MUL ? av * bv : av / bv;
                }
        close("zip " + std::to_string(op), out, want, 1e-6);
    }
    // copy between strided views: a permuted [5, 6, 4] view of a [6, 5, 4] buffer
    auto src = rnd(120, -1, 1), dst = nan_filled(120);
    emu_launch({1}, 256, 0, [&] { copy_strided(src.data(), layout({5, 6, 4}, {4, 20, 1}), dst.data(), layout({120}, {1}), 120); });
    std::vector<double> want(120);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 4; k++) want[(i * 6 + j) * 4 + k] = src[(j * 5 + i) * 4 + k];
    close("copy_strided", dst, want, 0);
}

static void reductions() {
    int rows = 37, cols = 300;
    auto x = rnd(rows * cols, -1, 1);
    x[5] = 2;
    x[9] = 2;                     // a tie in row 0: the first index wins
    x[cols + 7] = NAN;            // NaN wins in row 1
    auto s = nan_filled(rows), mx = nan_filled(rows);
    std::vector<int> arg(rows, -1);
    emu_launch({(unsigned) rows}, row_threads(cols), 0, [&] { sum_rows(x.data(), s.data(), rows, cols); });
    emu_launch({(unsigned) rows}, row_threads(cols), 0, [&] { max_rows(x.data(), mx.data(), arg.data(), rows, cols); });
    std::vector<double> ws(rows), wm(rows);
    std::vector<int> wa(rows);
    for (int r = 0; r < rows; r++) {
        double acc = 0, best = -INFINITY;
        int at = 0;
        for (int j = 0; j < cols; j++) {
            double v = x[r * cols + j];
            acc += v;
            if (v > best || (std::isnan(v) && !std::isnan(best)) || j == 0) { best = v; at = j; }
        }
        ws[r] = acc;
        wm[r] = best;
        wa[r] = at;
    }
    close("sum_rows", s, ws, 1e-5);
    {  // column sums in chunks of 64 rows, then the chunks in order (CudaBackend.sumLeading)
        int r2 = 150, c2 = 300, chunk = 64, chunks = (r2 + chunk - 1) / chunk;
        auto y = rnd((size_t) r2 * c2, -1, 1), parts = nan_filled((size_t) chunks * c2), cs = nan_filled(c2);
        emu_launch({(unsigned) ((c2 + 255) / 256), (unsigned) chunks}, 256, 0, [&] { sum_cols(y.data(), parts.data(), r2, c2, chunk); });
        emu_launch({(unsigned) ((c2 + 255) / 256)}, 256, 0, [&] { sum_partials(parts.data(), cs.data(), chunks, c2); });
        std::vector<double> wc(c2, 0);
        for (int r = 0; r < r2; r++)
            for (int j = 0; j < c2; j++) wc[j] += y[(size_t) r * c2 + j];
        close("sum_cols + sum_partials", cs, wc, 1e-5);
    }
    checks++;
    bool argOk = arg == wa && std::isnan(mx[1]);
    for (int r = 0; r < rows; r++) argOk &= r == 1 || mx[r] == (float) wm[r];
    std::printf("%s max_rows (values, first-index ties, NaN first)\n", argOk ? "ok  " : "FAIL");
    failures += !argOk;
}

static void softmax_and_cross_entropy() {
    for (int log_softmax = 0; log_softmax < 2; log_softmax++) {
        int rows = 7, cols = 197;
        auto x = rnd(rows * cols, -4, 4), g = rnd(rows * cols, -1, 1), y = nan_filled(rows * cols), dx = nan_filled(rows * cols);
        emu_launch({(unsigned) rows}, row_threads(cols), 0, [&] { softmax_forward(x.data(), y.data(), rows, cols, log_softmax); });
        emu_launch({(unsigned) rows}, row_threads(cols), 0, [&] { softmax_backward(y.data(), g.data(), dx.data(), rows, cols, log_softmax); });
        std::vector<double> wy(rows * cols), wd(rows * cols);
        for (int r = 0; r < rows; r++) {
            double m = -INFINITY, sum = 0, dot = 0;
            for (int j = 0; j < cols; j++) m = std::max(m, (double) x[r * cols + j]);
            for (int j = 0; j < cols; j++) sum += std::exp(x[r * cols + j] - m);
            for (int j = 0; j < cols; j++) {
                double sh = x[r * cols + j] - m;
                wy[r * cols + j] = log_softmax ? sh - std::log(sum) : std::exp(sh) / sum;
            }
            for (int j = 0; j < cols; j++) dot += log_softmax ? g[r * cols + j] : g[r * cols + j] * wy[r * cols + j];
            for (int j = 0; j < cols; j++)
                wd[r * cols + j] = log_softmax ? g[r * cols + j] - std::exp(wy[r * cols + j]) * dot : wy[r * cols + j] * (g[r * cols + j] - dot);
        }
        close(log_softmax ? "log_softmax" : "softmax", y, wy, 1e-5);
        close(log_softmax ? "log_softmax backward" : "softmax backward", dx, wd, 1e-4);
    }
    int rows = 9, classes = 100;
    float eps = 0.1f, scale = 0.25f;
    auto x = rnd(rows * classes, -5, 5), loss = nan_filled(rows), probs = nan_filled(rows * classes), dl = nan_filled(rows * classes);
    std::vector<int> labels(rows);
    for (int r = 0; r < rows; r++) labels[r] = (r * 37) % classes;
    emu_launch({(unsigned) rows}, row_threads(classes), 0, [&] { cross_entropy_forward(x.data(), labels.data(), eps, loss.data(), probs.data(), rows, classes); });
    emu_launch({blocks_for(rows * classes)}, 256, 0, [&] { cross_entropy_backward(probs.data(), labels.data(), eps, scale, dl.data(), rows, classes); });
    std::vector<double> wl(rows), wp(rows * classes), wd(rows * classes);
    for (int r = 0; r < rows; r++) {
        double m = -INFINITY, sum = 0, l = 0;
        for (int j = 0; j < classes; j++) m = std::max(m, (double) x[r * classes + j]);
        for (int j = 0; j < classes; j++) sum += std::exp(x[r * classes + j] - m);
        for (int j = 0; j < classes; j++) {
            double logp = x[r * classes + j] - m - std::log(sum), t = (j == labels[r] ? 1 - eps : 0) + (double) eps / classes;
            l -= t * logp;
            wp[r * classes + j] = std::exp(logp);
            wd[r * classes + j] = scale * (std::exp(logp) - t);
        }
        wl[r] = l;
    }
    close("cross_entropy loss", loss, wl, 1e-5);
    close("cross_entropy probs", probs, wp, 1e-5);
    close("cross_entropy backward", dl, wd, 1e-4);
}

static void layer_norm() {
    int rows = 70, d = 192, rpb = 32, blocks = (rows + rpb - 1) / rpb;
    float eps = 1e-6f;
    auto x = rnd(rows * d, -3, 5), gam = rnd(d, 0.5, 1.5), bet = rnd(d, -1, 1), gy = rnd(rows * d, -1, 1);
    auto out = nan_filled(rows * d), mean = nan_filled(rows), rstd = nan_filled(rows), dx = nan_filled(rows * d);
    auto pg = nan_filled(blocks * d), pb = nan_filled(blocks * d), dg = nan_filled(d), db = nan_filled(d);
    emu_launch({(unsigned) rows}, row_threads(d), 0, [&] { layernorm_forward(x.data(), gam.data(), bet.data(), eps, out.data(), mean.data(), rstd.data(), rows, d); });
    emu_launch({(unsigned) blocks}, row_threads(d), 0, [&] {
        layernorm_backward(x.data(), gam.data(), mean.data(), rstd.data(), gy.data(), dx.data(), pg.data(), pb.data(), rows, d, rpb);
    });
    emu_launch({(unsigned) ((d + 255) / 256)}, 256, 0, [&] { sum_partials(pg.data(), dg.data(), blocks, d); });
    emu_launch({(unsigned) ((d + 255) / 256)}, 256, 0, [&] { sum_partials(pb.data(), db.data(), blocks, d); });
    std::vector<double> wo(rows * d), wm(rows), wr(rows), wdx(rows * d), wdg(d, 0), wdb(d, 0);
    for (int r = 0; r < rows; r++) {
        double mu = 0, var = 0;
        for (int j = 0; j < d; j++) mu += x[r * d + j];
        mu /= d;
        for (int j = 0; j < d; j++) var += (x[r * d + j] - mu) * (x[r * d + j] - mu);
        double rs = 1 / std::sqrt(var / d + eps), mg = 0, mgx = 0;
        for (int j = 0; j < d; j++) {
            double xh = (x[r * d + j] - mu) * rs, gh = gy[r * d + j] * (double) gam[j];
            wo[r * d + j] = xh * gam[j] + bet[j];
            mg += gh;
            mgx += gh * xh;
            wdg[j] += gy[r * d + j] * xh;
            wdb[j] += gy[r * d + j];
        }
        mg /= d;
        mgx /= d;
        for (int j = 0; j < d; j++) {
            double xh = (x[r * d + j] - mu) * rs;
            wdx[r * d + j] = rs * (gy[r * d + j] * (double) gam[j] - mg - xh * mgx);
        }
        wm[r] = mu;
        wr[r] = rs;
    }
    close("layer_norm", out, wo, 1e-4);
    close("layer_norm mean", mean, wm, 1e-5);
    close("layer_norm rstd", rstd, wr, 1e-4);
    close("layer_norm dx", dx, wdx, 1e-4);
    close("layer_norm dgamma", dg, wdg, 1e-4);
    close("layer_norm dbeta", db, wdb, 1e-4);
}

static void attention(int b, int n, int d, int heads) {
    int hd = d / heads;
    float scale = 1 / std::sqrt((float) hd);
    auto qkv = rnd((size_t) b * n * 3 * d, -1, 1), gout = rnd((size_t) b * n * d, -1, 1);
    auto out = nan_filled((size_t) b * n * d), probs = nan_filled((size_t) b * heads * n * n);
    auto ds = nan_filled((size_t) b * heads * n * n), dqkv = nan_filled((size_t) b * n * 3 * d);
    Heads s{n, d, hd};
    long tile = (long) ATT_TILE * (hd + 1);
    auto warps_for = [](long fixed, long floats) { for (int w = 8; w >= 1; w /= 2) if ((fixed + w * floats) * 4 <= 48 * 1024) return w; return 0; };
    int rw = warps_for(tile, hd + n), cw = warps_for(0, 2L * n);
    size_t rowShared = (tile + rw * (hd + n)) * 4;
    dim3 rg{(unsigned) ((n + rw - 1) / rw), (unsigned) heads, (unsigned) b}, cg{(unsigned) ((n + cw - 1) / cw), (unsigned) heads, (unsigned) b};
    emu_launch(rg, 32 * rw, rowShared, [&] { attention_forward(qkv.data(), s, scale, out.data(), probs.data()); });
    emu_launch(rg, 32 * rw, rowShared, [&] { attention_backward_rows(qkv.data(), probs.data(), gout.data(), s, scale, ds.data(), dqkv.data()); });
    emu_launch(cg, 32 * cw, cw * 2 * n * 4, [&] { attention_backward_cols(qkv.data(), probs.data(), gout.data(), s, ds.data(), dqkv.data()); });
    std::vector<double> wo((size_t) b * n * d), wp((size_t) b * heads * n * n), wd((size_t) b * n * 3 * d);
    auto at = [&](int img, int t, int c) { return (double) qkv[((size_t) img * n + t) * 3 * d + c]; };
    for (int img = 0; img < b; img++)
        for (int h = 0; h < heads; h++) {
            int q = h * hd, k = d + h * hd, v = 2 * d + h * hd;
            std::vector<double> P((size_t) n * n), dS((size_t) n * n);
            for (int i = 0; i < n; i++) {
                double m = -INFINITY, sum = 0;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int c = 0; c < hd; c++) dot += at(img, i, q + c) * at(img, j, k + c);
                    P[i * n + j] = scale * dot;
                    m = std::max(m, P[i * n + j]);
                }
                for (int j = 0; j < n; j++) { P[i * n + j] = std::exp(P[i * n + j] - m); sum += P[i * n + j]; }
                for (int j = 0; j < n; j++) { P[i * n + j] /= sum; wp[(((size_t) img * heads + h) * n + i) * n + j] = P[i * n + j]; }
                for (int c = 0; c < hd; c++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) acc += P[i * n + j] * at(img, j, v + c);
                    wo[((size_t) img * n + i) * d + q + c] = acc;
                }
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    double dp = 0;
                    for (int c = 0; c < hd; c++) dp += gout[((size_t) img * n + i) * d + q + c] * at(img, j, v + c);
                    dS[i * n + j] = dp;
                    dot += dp * P[i * n + j];
                }
                for (int j = 0; j < n; j++) dS[i * n + j] = P[i * n + j] * (dS[i * n + j] - dot) * scale;
            }
            for (int t = 0; t < n; t++)
                for (int c = 0; c < hd; c++) {
                    double dq = 0, dk = 0, dv = 0;
                    for (int j = 0; j < n; j++) {
                        dq += dS[t * n + j] * at(img, j, k + c);
                        dk += dS[j * n + t] * at(img, j, q + c);
                        dv += P[j * n + t] * gout[((size_t) img * n + j) * d + q + c];
                    }
                    wd[((size_t) img * n + t) * 3 * d + q + c] = dq;
                    wd[((size_t) img * n + t) * 3 * d + k + c] = dk;
                    wd[((size_t) img * n + t) * 3 * d + v + c] = dv;
                }
        }
    std::string shape = " B=" + std::to_string(b) + " N=" + std::to_string(n) + " D=" + std::to_string(d) + " H=" + std::to_string(heads);
    close("attention probs" + shape, probs, wp, 1e-4);
    close("attention out" + shape, out, wo, 1e-4);
    close("attention dqkv" + shape, dqkv, wd, 1e-4);
}

// KoRA's per-token passes (host: CudaFused) against the reference backend's loops.
static void kora(int n, int d, int r3, int dc) {
    float gate = 0.7f;
    int chunk = 32, chunks = (n + chunk - 1) / chunk, vrow = 3 * d;
    auto u = rnd((size_t) n * r3, -1, 1), m = rnd((size_t) dc * r3, -1, 1), b1 = rnd(dc, -1, 1), w2 = rnd((size_t) d * dc, -1, 1), b2 = rnd(d, -1, 1);
    auto y = rnd((size_t) n * vrow, -1, 1), gy = rnd((size_t) n * vrow, -1, 1), y0 = y;
    auto pre = nan_filled((size_t) n * dc);
    emu_launch({(unsigned) n}, 128, dc * 4, [&] {
        kora_forward(u.data(), m.data(), b1.data(), w2.data(), b2.data(), &gate, pre.data(), y.data() + 2 * d, vrow, n, r3, dc, d);
    });
    std::vector<double> wpre((size_t) n * dc), wy(y0.begin(), y0.end());
    for (int t = 0; t < n; t++) {
        std::vector<double> h(dc);
        for (int i = 0; i < dc; i++) {
            double acc = b1[i];
            for (int j = 0; j < r3; j++) acc += (double) m[i * r3 + j] * u[t * r3 + j];
            wpre[t * dc + i] = acc;
            h[i] = gelu_d(acc);
        }
        for (int o = 0; o < d; o++) {
            double delta = b2[o];
            for (int i = 0; i < dc; i++) delta += (double) w2[o * dc + i] * h[i];
            wy[(size_t) t * vrow + 2 * d + o] += gate * delta;
        }
    }
    std::string shape = " N=" + std::to_string(n) + " D=" + std::to_string(d) + " 3r=" + std::to_string(r3) + " dc=" + std::to_string(dc);
    close("kora_forward pre" + shape, pre, wpre, 1e-5);
    close("kora_forward v'" + shape, y, wy, 1e-5);

    int tokenWidth = dc * r3 + dc + 1, weightWidth = d * dc + d, width = tokenWidth + weightWidth;
    auto run = [&](std::vector<float> &du, std::vector<float> &tok, std::vector<float> &wts) {
        auto parts = nan_filled((size_t) chunks * width), sums = nan_filled(width);
        du = nan_filled((size_t) n * r3);
        int warps = 8;
        while (warps > 1 && (warps * (dc * r3 + 2 * dc + 1) + chunk * dc) * 4 > 48 * 1024) warps /= 2;
        emu_launch({(unsigned) chunks}, 32 * warps, (warps * (dc * r3 + 2 * dc + 1) + chunk * dc) * 4, [&] {
            kora_backward(u.data(), pre.data(), m.data(), w2.data(), b2.data(), &gate, gy.data() + 2 * d, vrow,
                          du.data(), parts.data(), n, r3, dc, d, chunk);
        });
        emu_launch({(unsigned) ((width + 255) / 256)}, 256, 0, [&] { sum_partials(parts.data(), sums.data(), chunks, width); });
        tok.assign(sums.begin(), sums.begin() + tokenWidth);
        wts.assign(sums.begin() + tokenWidth, sums.end());
    };
    std::vector<float> du, tok, wts, du2, tok2, wts2;
    run(du, tok, wts);
    run(du2, tok2, wts2);
    std::vector<double> wdu((size_t) n * r3), wg((size_t) dc * r3, 0), wdb1(dc, 0), wdw2((size_t) d * dc, 0), wdb2(d, 0);
    double wdg = 0;
    for (int t = 0; t < n; t++) {
        std::vector<double> dpre(dc);
        const float *dv = gy.data() + (size_t) t * vrow + 2 * d;
        for (int i = 0; i < dc; i++) {
            double p = pre[t * dc + i], h = gelu_d(p), e = 0;
            for (int o = 0; o < d; o++) {
                e += (double) w2[o * dc + i] * dv[o];
                wdw2[o * dc + i] += gate * dv[o] * h;
            }
            wdg += e * h;
            dpre[i] = gate * e * gelu_grad_d(p);
            wdb1[i] += dpre[i];
            for (int j = 0; j < r3; j++) wg[i * r3 + j] += dpre[i] * u[t * r3 + j];
        }
        for (int o = 0; o < d; o++) {
            wdg += (double) dv[o] * b2[o];
            wdb2[o] += gate * dv[o];
        }
        for (int j = 0; j < r3; j++) {
            double acc = 0;
            for (int i = 0; i < dc; i++) acc += (double) m[i * r3 + j] * dpre[i];
            wdu[t * r3 + j] = acc;
        }
    }
    close("kora_backward du" + shape, du, wdu, 1e-4);
    close("kora_backward G" + shape, std::vector<float>(tok.begin(), tok.begin() + dc * r3), wg, 1e-4);
    close("kora_backward db1" + shape, std::vector<float>(tok.begin() + dc * r3, tok.begin() + dc * r3 + dc), wdb1, 1e-4);
    close("kora_backward dg" + shape, std::vector<float>(tok.end() - 1, tok.end()), {wdg}, 1e-4);
    close("kora_backward dW2" + shape, std::vector<float>(wts.begin(), wts.begin() + d * dc), wdw2, 1e-4);
    close("kora_backward db2" + shape, std::vector<float>(wts.begin() + d * dc, wts.end()), wdb2, 1e-4);
    same_bits("kora_backward repeats" + shape, tok, tok2);
    same_bits("kora_backward weights repeat" + shape, wts, wts2);
}

static void gemm(int m, int n, int k, int batches, bool ta, bool tb, bool acc) {
    // A [m, k] stored transposed when ta (element (i, p) at p·m + i), B [k, n] broadcast over batches
    auto a = rnd((size_t) batches * m * k, -1, 1), b = rnd((size_t) k * n, -1, 1), c = rnd((size_t) batches * m * n, -1, 1);
    auto c0 = c;
    Operand la{(long) m * k, ta ? 1 : k, ta ? m : 1}, lb{0, tb ? 1 : n, tb ? k : 1};
    emu_launch({(unsigned) ((n + 63) / 64), (unsigned) ((m + 63) / 64), (unsigned) batches}, 256, 0, [&] {
        sgemm(a.data(), la, b.data(), lb, c.data(), (long) m * n, n, m, n, k, acc ? 1 : 0);
    });
    std::vector<double> want((size_t) batches * m * n);
    for (int z = 0; z < batches; z++)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = acc ? c0[((size_t) z * m + i) * n + j] : 0;
                for (int p = 0; p < k; p++)
                    s += (double) a[(size_t) z * m * k + (size_t) i * la.row_stride + (size_t) p * la.col_stride] * b[(size_t) p * lb.row_stride + (size_t) j * lb.col_stride];
                want[((size_t) z * m + i) * n + j] = s;
            }
    char name[96];
    std::snprintf(name, sizeof name, "sgemm [%dx%d]·[%dx%d] x%d ta=%d tb=%d acc=%d", m, k, k, n, batches, ta, tb, acc);
    close(name, c, want, 1e-4);
}

static void adamw() {
    // three tensors of different sizes in one launch, through the table of addresses
    std::vector<long> sizes = {1000, 1, 333};
    float decay = 1 - 1e-3f * 0.01f, beta2 = 0.999f, omb1 = 0.1f, omb2 = 0.001f, step = 1e-3f / 0.1f, bc2 = std::sqrt(0.001f), eps = 1e-8f;
    std::vector<std::vector<float>> w, g, m, v;
    std::vector<unsigned long long> table;
    std::vector<long> starts = {0};
    for (long n : sizes) {
        w.push_back(rnd(n, -1, 1)); g.push_back(rnd(n, -1, 1)); m.push_back(rnd(n, -0.1, 0.1)); v.push_back(rnd(n, 0, 0.01));
        starts.push_back(starts.back() + n);
    }
    for (size_t t = 0; t < sizes.size(); t++)
        for (auto *x : {&w[t], &g[t], &m[t], &v[t]}) table.push_back((unsigned long long) (uintptr_t) x->data());
    auto w2 = w, m2 = m, v2 = v;
    long total = starts.back();
    emu_launch({blocks_for(total)}, 256, 0, [&] {
        adamw_step(table.data(), starts.data(), (int) sizes.size(), total, decay, beta2, omb1, omb2, step, bc2, eps);
    });
    for (size_t t = 0; t < sizes.size(); t++)
        for (long i = 0; i < sizes[t]; i++) {  // the cpu kernel's scalar tail, in its order
            float gi = g[t][i];
            w2[t][i] *= decay;
            m2[t][i] += (gi - m2[t][i]) * omb1;
            v2[t][i] = v2[t][i] * beta2 + omb2 * gi * gi;
            float denom = (float) std::sqrt((double) v2[t][i]) / bc2 + eps;
            w2[t][i] += -step * m2[t][i] / denom;
        }
    for (size_t t = 0; t < sizes.size(); t++) {
        std::string n = " tensor " + std::to_string(t);
        same_bits("adamw w" + n, w[t], w2[t]);
        same_bits("adamw m" + n, m[t], m2[t]);
        same_bits("adamw v" + n, v[t], v2[t]);
    }
}

// M = s·W1·B̂ and its backward (host: CudaFused.koraCompose*) against double loops.
static void kora_compose_check(int d, int r, int dc) {
    float s = 0.5f;
    auto w1 = rnd((size_t) dc * 3 * d, -1, 1), g = rnd((size_t) dc * 3 * r, -1, 1);
    std::vector<float> b[3] = {rnd((size_t) d * r, -1, 1), rnd((size_t) d * r, -1, 1), rnd((size_t) d * r, -1, 1)};
    auto m = nan_filled((size_t) dc * 3 * r), dw1 = nan_filled((size_t) dc * 3 * d);
    std::vector<float> db[3] = {nan_filled((size_t) d * r), nan_filled((size_t) d * r), nan_filled((size_t) d * r)};
    emu_launch({(unsigned) (3 * r), (unsigned) dc}, 128, 0, [&] {
        kora_compose(w1.data(), b[0].data(), b[1].data(), b[2].data(), s, m.data(), d, r, dc);
    });
    emu_launch({(unsigned) ((d + 127) / 128), 3}, 128, dc * 3 * r * 4, [&] {
        kora_compose_backward(w1.data(), b[0].data(), b[1].data(), b[2].data(), g.data(), s, dw1.data(),
                              db[0].data(), db[1].data(), db[2].data(), d, r, dc);
    });
    std::vector<double> wm((size_t) dc * 3 * r, 0), wdw1((size_t) dc * 3 * d, 0), wdb[3];
    for (int j = 0; j < 3; j++) wdb[j].assign((size_t) d * r, 0);
    for (int i = 0; i < dc; i++)
        for (int j = 0; j < 3; j++)
            for (int o = 0; o < d; o++)
                for (int k = 0; k < r; k++) {
                    double w = w1[(size_t) i * 3 * d + j * d + o], bo = b[j][(size_t) o * r + k], gi = g[(size_t) i * 3 * r + j * r + k];
                    wm[(size_t) i * 3 * r + j * r + k] += s * w * bo;
                    wdw1[(size_t) i * 3 * d + j * d + o] += s * gi * bo;
                    wdb[j][(size_t) o * r + k] += s * w * gi;
                }
    std::string shape = " D=" + std::to_string(d) + " r=" + std::to_string(r) + " dc=" + std::to_string(dc);
    close("kora_compose M" + shape, m, wm, 1e-5);
    close("kora_compose_backward dW1" + shape, dw1, wdw1, 1e-5);
    for (int j = 0; j < 3; j++) close("kora_compose_backward dB" + std::to_string(j) + shape, db[j], wdb[j], 1e-5);
}

int main() {
    elementwise();
    reductions();
    softmax_and_cross_entropy();
    layer_norm();
    attention(2, 65, 64, 2);
    attention(1, 197, 64, 1);
    attention(1, 5, 12, 2);
    attention(1, 40, 288, 3);  // head width 96: three columns per lane
    kora(200, 64, 24, 4);
    kora(1, 8, 3, 1);
    kora(97, 40, 6, 7);
    kora(70, 48, 48, 32);
    kora_compose_check(64, 8, 4);
    kora_compose_check(200, 3, 7);
    kora_compose_check(768, 8, 4);
    gemm(1, 1, 1, 1, false, false, false);
    gemm(65, 70, 33, 2, false, true, false);
    gemm(100, 65, 129, 1, true, false, true);
    gemm(64, 64, 16, 3, true, true, false);
    gemm(7, 130, 200, 1, false, false, true);
    adamw();
    std::printf("%d of %d checks failed\n", failures, checks);
    return failures ? 1 : 0;
}
