// Runs a CUDA grid on the CPU, as the GPU would run it: every thread of a block runs concurrently
// with the others of its block (each a fiber on one CPU thread, switching only where it waits at a
// barrier), blocks run in any order on a pool of CPU threads. This is the engine under the driver
// stand-in (driver.cpp) and under the kernel checks (check.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

namespace emu {

// What a GPU thread knows of itself (threadIdx, blockIdx, blockDim, gridDim).
struct ThreadInfo {
    dim3 thread, block, block_dim, grid_dim;
};

// Each thread's stack lies in a slot of SLOT_BYTES aligned to its size, whose first bytes hold
// its ThreadInfo: a thread finds it from any address on its stack, without thread-local storage
// (slow in a library loaded after start-up).
constexpr size_t SLOT_BYTES = 64 * 1024;

inline ThreadInfo &self() {
    return *(ThreadInfo *) ((uintptr_t) __builtin_frame_address(0) & ~(uintptr_t) (SLOT_BYTES - 1));
}

// Runs `thread` once for each thread of each block. Returns "" when every thread ran to its end,
// else what stopped the grid (threads waiting at a barrier that the others of the block never reach).
std::string run_grid(dim3 grid, dim3 block, size_t dynamic_shared_bytes, const std::function<void()> &thread);

// Runs body(i) for i in [0, count) on the pool's CPU threads, in any order (for the cuBLAS stand-in).
void parallel_for(long count, const std::function<void(long)> &body);

// CPU threads that run blocks: KORA_CUDA_EMULATOR_THREADS, else every core this process may use.
unsigned worker_count();

// What the device built-ins (cuda_emu.h) do inside a thread.
void sync_block();                                // __syncthreads
void sync_warp();                                 // __syncwarp
uint64_t shuffle_xor(uint64_t bits, int lane_mask);  // __shfl_xor_sync, on up to 8 bytes
void *dynamic_shared();                           // extern __shared__: starts as 0xff bytes (NaN)

}  // namespace emu
