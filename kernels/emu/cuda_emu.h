// A CPU stand-in for the CUDA built-ins the kernels use, so that their logic (indexing, barriers,
// warp shuffles, reduction order) can be checked on a machine without a GPU. Each block runs as
// blockDim real threads with real barriers; blocks run one after another. It checks what the code
// computes, not how fast, and not memory-model subtleties a GPU could expose.
#pragma once
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <math.h>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static  // blocks run one at a time, so one copy serves each block in turn
#define __launch_bounds__(n)
using std::max;
using std::min;

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
// Compiled with -ffp-contract=off, so these are single IEEE operations as on the GPU.
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }

struct EmuBlock {
    std::unique_ptr<std::barrier<>> block;
    std::vector<std::unique_ptr<std::barrier<>>> warps;
    std::vector<uint64_t> exchange;  // 32 slots per warp for shuffles
    std::vector<char> dynamic;       // extern __shared__
};
inline thread_local EmuBlock *emu_block;

inline void __syncthreads() { emu_block->block->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu_block->warps[threadIdx.x >> 5]->arrive_and_wait(); }

template <class T>
T __shfl_xor_sync(unsigned, T v, int mask) {
    static_assert(sizeof(T) <= 8);
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    uint64_t *slot = &emu_block->exchange[w * 32];
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    slot[lane] = bits;
    __syncwarp();
    T r;
    std::memcpy(&r, &slot[lane ^ mask], sizeof(T));
    __syncwarp();
    return r;
}

inline void *emu_dynamic_shared() { return emu_block->dynamic.data(); }

// Runs kernel() over the grid; blockDim is 1-D in every kora4j kernel. Dynamic shared memory
// starts as NaN bytes (0xff), so a read before a write shows.
inline void emu_launch(dim3 grid, unsigned threads, size_t shared, const std::function<void()> &kernel) {
    gridDim = grid;
    blockDim = dim3{threads, 1, 1};
    for (unsigned z = 0; z < grid.z; z++)
        for (unsigned y = 0; y < grid.y; y++)
            for (unsigned x = 0; x < grid.x; x++) {
                EmuBlock b;
                b.block = std::make_unique<std::barrier<>>(threads);
                for (unsigned w = 0; w < (threads + 31) / 32; w++)
                    b.warps.push_back(std::make_unique<std::barrier<>>(std::min(32u, threads - 32 * w)));
                b.exchange.assign(((threads + 31) / 32) * 32, 0);
                b.dynamic.assign(shared, (char) 0xff);
                std::vector<std::thread> pool;
                for (unsigned t = 0; t < threads; t++)
                    pool.emplace_back([&, t, x, y, z] {
                        emu_block = &b;
                        threadIdx = dim3{t, 0, 0};
                        blockIdx = dim3{x, y, z};
                        kernel();
                        // An exited thread no longer counts at barriers, as on the GPU.
                        b.block->arrive_and_drop();
                        b.warps[t >> 5]->arrive_and_drop();
                    });
                for (auto &th : pool) th.join();
            }
}
