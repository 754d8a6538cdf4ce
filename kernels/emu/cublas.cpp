// libcublas.so.12 for machines without a GPU: the cuBLAS calls the cuda backend makes (handles,
// streams, modes, float32 GEMM plain and strided-batched), computed on the CPU in float32 in the
// column-major form cuBLAS defines, on the driver stand-in's device memory. Arguments are checked
// as cuBLAS checks them; operands outside live device memory fault as a kernel would (reported by
// the driver at its next call). TF32 math mode is accepted and computed in full float32. Every
// other function JCuda's binding imports is a generated stub (build.sh) returning NOT_SUPPORTED.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cuda_abi.h"

#define API extern "C" __attribute__((visibility("default")))

typedef int cublasStatus_t;
enum : cublasStatus_t {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
enum { CUBLAS_POINTER_MODE_HOST = 0, CUBLAS_POINTER_MODE_DEVICE = 1 };

struct Handle {
    CUstream stream = nullptr;
    int math_mode = 0;
    int pointer_mode = CUBLAS_POINTER_MODE_HOST;
};
typedef Handle *cublasHandle_t;

namespace {

std::mutex lock;
std::set<const Handle *> handles;

bool known(cublasHandle_t h) {
    std::lock_guard<std::mutex> l(lock);
    return handles.count(h) > 0;
}

// One operand as cuBLAS reads it: op(X) is rows × cols, X column-major with leading dimension ld.
struct Operand {
    const float *x;
    int ld;
    bool transposed;
    long long stride;  // between batches

    float at(const float *batch, int i, int j) const { return transposed ? batch[j + (long) i * ld] : batch[i + (long) j * ld]; }
};

// The elements [first, first + count) that op(X) [rows, cols] of one batch spans in storage.
long long extent(int rows, int cols, int ld, bool transposed) {
    int stored_rows = transposed ? cols : rows, stored_cols = transposed ? rows : cols;
    return (long long) (stored_cols - 1) * ld + stored_rows;
}

bool on_device(const float *p, long long elements) { return kora_emu_device_range((CUdeviceptr) p, (size_t) elements * 4); }

struct Gemm {
    int m, n, k;
    Operand a, b;
    float alpha, beta;
    float *c;
    int ldc;
    long long c_stride;
    static constexpr int COLUMNS = 16;  // columns of C per task
};

// C[:, j] = α·Σ_p op(A)[:, p]·op(B)[p, j] + β·C[:, j] for the task's columns, p in order (so any
// split of the work gives the same bits), four columns at a time so that each element of A read
// serves four products. op(A) arrives as a contiguous column-major copy.
__attribute__((target_clones("avx2", "default"))) void columns(const Gemm &g, const float *a_packed, long batch, int j0,
                                                              std::vector<float> &acc) {
    const float *b = g.b.x + batch * g.b.stride;
    float *c = g.c + batch * g.c_stride;
    int last = std::min(g.n, j0 + Gemm::COLUMNS);
    for (int j = j0; j < last; j += 4) {
        int width = std::min(4, last - j);
        float *acc0 = acc.data(), *acc1 = acc0 + g.m, *acc2 = acc1 + g.m, *acc3 = acc2 + g.m;
        std::fill(acc.begin(), acc.end(), 0.f);
        for (int p = 0; p < g.k; p++) {
            const float *ap = a_packed + (long) p * g.m;
            float b0 = g.b.at(b, p, j), b1 = width > 1 ? g.b.at(b, p, j + 1) : 0.f;
            float b2 = width > 2 ? g.b.at(b, p, j + 2) : 0.f, b3 = width > 3 ? g.b.at(b, p, j + 3) : 0.f;
            for (int i = 0; i < g.m; i++) {
                float a = ap[i];
                acc0[i] += a * b0;
                acc1[i] += a * b1;
                acc2[i] += a * b2;
                acc3[i] += a * b3;
            }
        }
        for (int q = 0; q < width; q++) {
            const float *aq = acc.data() + (size_t) q * g.m;
            float *cj = c + (long) (j + q) * g.ldc;
            for (int i = 0; i < g.m; i++) cj[i] = g.beta == 0.f ? g.alpha * aq[i] : g.alpha * aq[i] + g.beta * cj[i];  // β = 0: C is not read
        }
    }
}

cublasStatus_t gemm(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A, int lda,
                    long long sa, const float *B, int ldb, long long sb, const float *beta, float *C, int ldc, long long sc,
                    int batches, const char *name) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (kora_emu_sticky()) return CUBLAS_STATUS_EXECUTION_FAILED;  // the context is lost, as after a fault on a GPU
    if (ta < CUBLAS_OP_N || ta > CUBLAS_OP_C || tb < CUBLAS_OP_N || tb > CUBLAS_OP_C || m < 0 || n < 0 || k < 0 || batches < 0 ||
        lda < std::max(1, ta == CUBLAS_OP_N ? m : k) || ldb < std::max(1, tb == CUBLAS_OP_N ? k : n) || ldc < std::max(1, m) ||
        !alpha || !beta)
        return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0 || batches == 0) return CUBLAS_STATUS_SUCCESS;
    Operand a{A, lda, ta != CUBLAS_OP_N, sa}, b{B, ldb, tb != CUBLAS_OP_N, sb};
    for (long q = 0; q < batches; q++) {
        const char *bad = nullptr;
        if (k > 0 && !on_device(A + q * sa, extent(m, k, lda, a.transposed))) bad = "A";
        else if (k > 0 && !on_device(B + q * sb, extent(k, n, ldb, b.transposed))) bad = "B";
        else if (!on_device(C + q * sc, extent(m, n, ldc, false))) bad = "C";
        if (bad) {
            std::string what = std::string(name) + ": operand " + bad + " of batch " + std::to_string(q) + " is not live device memory";
            kora_emu_fault(CUDA_ERROR_ILLEGAL_ADDRESS, what.c_str());
            return CUBLAS_STATUS_SUCCESS;  // as on a GPU: the fault shows at the next driver call
        }
    }
    float al = *alpha, be = *beta;  // in device mode these point to device memory, which is host-readable here
    Gemm g{m, n, k, a, b, al, be, C, ldc, sc};
    std::vector<float> packed((size_t) m * std::max(k, 1));
    for (long q = 0; q < batches; q++) {
        const float *aq = A + q * sa;
        for (int p = 0; p < k; p++)
            for (int i = 0; i < m; i++) packed[(size_t) p * m + i] = a.at(aq, i, p);
        struct Task {
            const Gemm *g;
            const float *packed;
            long batch;
        } task{&g, packed.data(), q};
        int tasks = (n + Gemm::COLUMNS - 1) / Gemm::COLUMNS;
        kora_emu_parallel_for(tasks, [](long t, void *arg) {
            auto *task = (Task *) arg;
            thread_local std::vector<float> acc;
            acc.resize(4 * (size_t) task->g->m);
            columns(*task->g, task->packed, task->batch, (int) t * Gemm::COLUMNS, acc);
        }, &task);
    }
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

API cublasStatus_t cublasCreate_v2(cublasHandle_t *h) {
    if (!h) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    *h = new Handle;
    handles.insert(*h);
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasDestroy_v2(cublasHandle_t h) {
    std::lock_guard<std::mutex> l(lock);
    if (!handles.erase(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasGetVersion_v2(cublasHandle_t h, int *version) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!version) return CUBLAS_STATUS_INVALID_VALUE;
    *version = 120600;  // the cuBLAS that JCublas 12.6 binds
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasSetStream_v2(cublasHandle_t h, CUstream stream) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasGetStream_v2(cublasHandle_t h, CUstream *stream) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!stream) return CUBLAS_STATUS_INVALID_VALUE;
    *stream = h->stream;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasSetMathMode(cublasHandle_t h, int mode) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->math_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasGetMathMode(cublasHandle_t h, int *mode) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!mode) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = h->math_mode;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t h, int mode) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE) return CUBLAS_STATUS_INVALID_VALUE;
    h->pointer_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t h, int *mode) {
    if (!known(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!mode) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = h->pointer_mode;
    return CUBLAS_STATUS_SUCCESS;
}

API cublasStatus_t cublasSgemm_v2(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A,
                                  int lda, const float *B, int ldb, const float *beta, float *C, int ldc) {
    return gemm(h, ta, tb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1, "cublasSgemm");
}

API cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float *alpha,
                                             const float *A, int lda, long long sa, const float *B, int ldb, long long sb,
                                             const float *beta, float *C, int ldc, long long sc, int batches) {
    return gemm(h, ta, tb, m, n, k, alpha, A, lda, sa, B, ldb, sb, beta, C, ldc, sc, batches, "cublasSgemmStridedBatched");
}
