// The stand-in's device memory: a region of address space of its own, apart from the host heap,
// with a capacity that can be set (KORA_CUDA_EMULATOR_MEMORY) so that running out is testable.
// Addresses are never reused: memory freed is unmapped but stays known as freed, so that a
// pointer used after its free is recognised (and faults if a kernel touches it anyway).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "cuda_abi.h"

namespace emu::memory {

// Reads KORA_CUDA_EMULATOR_MEMORY (bytes, or with a K, M or G suffix); "" or why it cannot.
std::string configure();

CUresult allocate(size_t bytes, CUdeviceptr *out);
CUresult release(CUdeviceptr p);  // p must be what allocate gave

enum class Range { DEVICE, FREED, OUTSIDE };
// Where [p, p + bytes) lies: within one live allocation, touching freed memory, or elsewhere.
Range classify(uintptr_t p, size_t bytes);

size_t capacity();
size_t in_use();

}  // namespace emu::memory
