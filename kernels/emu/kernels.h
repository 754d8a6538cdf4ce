// The project's kernels (../module.cu) compiled for the CPU, found by name as cuModuleGetFunction
// finds them in the fatbin, with what an H200 knows of each (ptxas's report for sm_90).
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

namespace emu {

struct KernelParameter {
    unsigned index;
    const void *pointer;
};

struct Kernel {
    const char *name;
    unsigned launch_bound;   // __launch_bounds__'s threads per block, or 0 when it has none
    unsigned registers;      // per thread, on sm_90
    unsigned static_shared;  // bytes of __shared__ arrays, on sm_90
    size_t parameter_count;
    // Copies the launch's parameters (kernelParams: one pointer to each value, in order, as
    // cuLaunchKernel takes them) and returns what every thread runs; lists the pointer parameters.
    std::function<void()> (*bind)(void **params, std::vector<KernelParameter> &pointers);
};

// The kernel named `name`, or null.
const Kernel *find_kernel(const char *name);

}  // namespace emu
