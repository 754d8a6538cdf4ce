// Each kernel's parameters are unpacked by its own signature: the same bytes cuLaunchKernel would
// copy to the GPU (by value, structs included), read from the launch's kernelParams.
#include "kernels.h"

#include <cstring>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "cuda_emu.h"
#include "module.cu"

namespace emu {
namespace {

template <class Signature>
struct Binder;

template <class... Args>
struct Binder<void (*)(Args...)> {
    static constexpr size_t count = sizeof...(Args);

    template <void (*kernel)(Args...)>
    static std::function<void()> bind(void **params, std::vector<KernelParameter> &pointers) {
        auto values = std::make_shared<std::tuple<std::decay_t<Args>...>>();
        unpack(*values, params, pointers, std::index_sequence_for<Args...>{});
        return [values] { std::apply(kernel, *values); };
    }

    template <class Tuple, size_t... I>
    static void unpack(Tuple &values, void **params, std::vector<KernelParameter> &pointers, std::index_sequence<I...>) {
        (std::memcpy(&std::get<I>(values), params[I], sizeof(std::get<I>(values))), ...);
        (note<I>(std::get<I>(values), pointers), ...);
    }

    template <size_t I, class T>
    static void note(const T &value, std::vector<KernelParameter> &pointers) {
        if constexpr (std::is_pointer_v<T>) pointers.push_back(KernelParameter{(unsigned) I, (const void *) value});
    }
};

// KERNEL(name, launch bound, registers, static shared bytes), one line per kernel, made by build.sh
// from the kernel sources and ptxas's report.
#define KERNEL(name, bound, registers, shared) \
    Kernel{#name, bound, registers, shared, Binder<decltype(&name)>::count, &Binder<decltype(&name)>::bind<&name>},
const Kernel kernels[] = {
#include "kernel_table.inc"
};
#undef KERNEL

}  // namespace

const Kernel *find_kernel(const char *name) {
    for (const Kernel &k : kernels)
        if (std::strcmp(k.name, name) == 0) return &k;
    return nullptr;
}

}  // namespace emu
