// libcuda.so.1 for machines without a GPU: the CUDA driver API as JCuda's driver binding calls it,
// with the project's kernels (compiled for the CPU, kernels.cpp) run by the grid engine. It answers
// as an H200 would: its attributes, its launch limits and error codes, device memory apart from the
// host's, faults inside kernels reported at the next call and by every call after (sticky). Work
// runs when it is launched, so streams and events only order what is already done; event times
// are the host's clock and mean nothing about a GPU. Functions the project does not use are
// generated stubs (build.sh) that say so and return CUDA_ERROR_NOT_SUPPORTED.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cuda_abi.h"
#include "grid.h"
#include "kernels.h"
#include "memory.h"

#define API extern "C" __attribute__((visibility("default")))

struct Context {
    int retained = 0;
    unsigned flags = 0;
};

struct Module {
    std::vector<char> image;  // the fatbin, copied: kernels are looked up in it by name
    std::vector<std::unique_ptr<Function>> functions;
};

struct Function {
    const emu::Kernel *kernel;
    unsigned max_dynamic_shared;  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
};

struct Stream {
    unsigned flags;
};

struct Event {
    unsigned flags;
    bool recorded = false;
    std::chrono::steady_clock::time_point at;
};

namespace {

// The H200 the stand-in reports.
constexpr const char *DEVICE_NAME = "NVIDIA H200 (kora4j CPU stand-in)";
constexpr unsigned MAX_THREADS = 1024, SHARED_PER_BLOCK = 48 * 1024, SHARED_OPT_IN = 227 * 1024;
constexpr unsigned REGISTERS_PER_BLOCK = 65536;
constexpr unsigned EVENT_DISABLE_TIMING = 2;
const CUstream STREAM_LEGACY = (CUstream) 1, STREAM_PER_THREAD = (CUstream) 2;

std::mutex lock;  // the handle sets, one-time messages
std::atomic<bool> initialized{false};
std::atomic<CUresult> sticky{CUDA_SUCCESS};  // a fault inside GPU work: returned by every later call
Context primary;
thread_local CUcontext current = nullptr;
thread_local std::vector<CUcontext> pushed;
std::set<const void *> modules, functions, streams, events, host_blocks;
bool trace = false;

void say(const std::string &what) { std::fprintf(stderr, "kora4j CUDA stand-in: %s\n", what.c_str()); }

// Calls that need a context: as the driver, not before cuInit, not after a fault, not without one current.
CUresult ready() {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (CUresult s = sticky.load()) return s;
    return current ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

#define REQUIRE_CONTEXT()                  \
    do {                                   \
        if (CUresult not_ready_ = ready()) \
            return not_ready_;             \
    } while (0)

bool known(const std::set<const void *> &handles, const void *h) {
    std::lock_guard<std::mutex> l(lock);
    return handles.count(h) > 0;
}

bool valid_stream(CUstream s) { return s == nullptr || s == STREAM_LEGACY || s == STREAM_PER_THREAD || known(streams, s); }

const char *error_name(CUresult r) {
    switch (r) {
        case CUDA_SUCCESS: return "CUDA_SUCCESS";
        case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
        case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case CUDA_ERROR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case CUDA_ERROR_NOT_READY: return "CUDA_ERROR_NOT_READY";
        case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
        case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        case CUDA_ERROR_NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
        default: return nullptr;
    }
}

// The most threads per block a kernel can be launched with: its launch bound, and what its
// registers allow (allocated per warp, in units of 8 per thread, 64 K per block).
unsigned max_threads(const emu::Kernel &k) {
    unsigned limit = k.launch_bound ? std::min(k.launch_bound, MAX_THREADS) : MAX_THREADS;
    if (k.registers) {
        unsigned per_warp = (k.registers + 7) / 8 * 8 * 32;
        limit = std::min(limit, REGISTERS_PER_BLOCK / per_warp * 32);
    }
    return limit;
}

bool device_range(CUdeviceptr p, size_t bytes) { return emu::memory::classify((uintptr_t) p, bytes) == emu::memory::Range::DEVICE; }

// A copy or memset whose device side must lie in one live allocation (else the driver's INVALID_VALUE).
CUresult copy(void *dst, const void *src, size_t bytes, bool dst_on_device, bool src_on_device) {
    REQUIRE_CONTEXT();
    if (bytes == 0) return CUDA_SUCCESS;
    if ((dst_on_device && !device_range((CUdeviceptr) dst, bytes)) || (src_on_device && !device_range((CUdeviceptr) src, bytes)))
        return CUDA_ERROR_INVALID_VALUE;
    std::memmove(dst, src, bytes);
    return CUDA_SUCCESS;
}

template <class T>
CUresult fill(CUdeviceptr dst, T value, size_t count) {
    REQUIRE_CONTEXT();
    if (count == 0) return CUDA_SUCCESS;
    if (!device_range(dst, count * sizeof(T))) return CUDA_ERROR_INVALID_VALUE;
    T *p = (T *) dst;
    for (size_t i = 0; i < count; i++) p[i] = value;
    return CUDA_SUCCESS;
}

bool on_device(const void *p) { return emu::memory::classify((uintptr_t) p, 0) != emu::memory::Range::OUTSIDE; }

}  // namespace

// ---- for the generated stubs and the cuBLAS stand-in --------------------------------------

API CUresult kora_emu_unsupported(const char *name) {
    static std::set<std::string> said;
    std::lock_guard<std::mutex> l(lock);
    if (said.insert(name).second) say(std::string(name) + " is not supported here; it returns CUDA_ERROR_NOT_SUPPORTED");
    return CUDA_ERROR_NOT_SUPPORTED;
}

API void kora_emu_fault(CUresult code, const char *what) {
    CUresult none = CUDA_SUCCESS;
    if (sticky.compare_exchange_strong(none, code))
        say(std::string(what) + " (" + error_name(code) + "; every later call in this context returns it, as on a GPU)");
}

API CUresult kora_emu_sticky() { return sticky.load(); }

API int kora_emu_device_range(CUdeviceptr p, size_t bytes) { return device_range(p, bytes); }

API void kora_emu_parallel_for(long count, void (*body)(long, void *), void *arg) {
    emu::parallel_for(count, [&](long i) { body(i, arg); });
}

// ---- initialisation, device -----------------------------------------------------------------

API CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    if (initialized) return CUDA_SUCCESS;
    if (std::string why = emu::memory::configure(); !why.empty()) {
        say(why);
        return CUDA_ERROR_INVALID_VALUE;
    }
    trace = std::getenv("KORA_CUDA_EMULATOR_TRACE") != nullptr;
    char line[300];
    double mib = emu::memory::capacity() / double(1 << 20);
    std::snprintf(line, sizeof line,
                  "kernels run emulated on the CPU (%u threads; %.*f %s of device memory, KORA_CUDA_EMULATOR_MEMORY); "
                  "results are the kernels' own, timings mean nothing",
                  emu::worker_count(), mib < 1024 ? 0 : 1, mib < 1024 ? mib : mib / 1024, mib < 1024 ? "MiB" : "GiB");
    say(line);
    initialized = true;
    return CUDA_SUCCESS;
}

API CUresult cuDriverGetVersion(int *version) {
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = 12060;  // the API JCuda 12.6 was built for
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetCount(int *count) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || length <= 0) return CUDA_ERROR_INVALID_VALUE;
    std::snprintf(name, (size_t) length, "%s", DEVICE_NAME);
    return CUDA_SUCCESS;
}

API CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = emu::memory::capacity();
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice device) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = MAX_THREADS; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *value = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *value = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *value = 64; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *value = 2147483647; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *value = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *value = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *value = SHARED_PER_BLOCK; break;
        case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: *value = 65536; break;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *value = 32; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: *value = REGISTERS_PER_BLOCK; break;
        case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *value = 1980000; break;  // kHz
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = 132; break;
        case CU_DEVICE_ATTRIBUTE_INTEGRATED: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: *value = 1; break;
        case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: *value = 1; break;
        case CU_DEVICE_ATTRIBUTE_ECC_ENABLED: *value = 1; break;
        case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *value = 2619000; break;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *value = 6144; break;
        case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *value = 50 << 20; break;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *value = 2048; break;
        case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: *value = 3; break;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *value = 1; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = 9; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *value = 228 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: *value = 65536; break;
        case CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY: *value = 0; break;  // no managed memory here
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *value = SHARED_OPT_IN; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: *value = 32; break;
        default:
            return kora_emu_unsupported(("cuDeviceGetAttribute of attribute " + std::to_string(attribute)).c_str());
    }
    return CUDA_SUCCESS;
}

API CUresult cuDeviceComputeCapability(int *major, int *minor, CUdevice device) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!major || !minor) return CUDA_ERROR_INVALID_VALUE;
    *major = 9;
    *minor = 0;
    return CUDA_SUCCESS;
}

API CUresult cuGetErrorName(CUresult error, const char **name) {
    if (!name) return CUDA_ERROR_INVALID_VALUE;
    *name = error_name(error);
    return *name ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

API CUresult cuGetErrorString(CUresult error, const char **text) { return cuGetErrorName(error, text); }

// ---- contexts: the device's primary context only ---------------------------------------------

API CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!context) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    primary.retained++;
    *context = &primary;
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::lock_guard<std::mutex> l(lock);
    if (primary.retained == 0) return CUDA_ERROR_INVALID_CONTEXT;
    primary.retained--;
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned *flags, int *active) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!flags || !active) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    *flags = primary.flags;
    *active = primary.retained > 0;
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice device, unsigned flags) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::lock_guard<std::mutex> l(lock);
    primary.flags = flags;
    return CUDA_SUCCESS;
}

API CUresult cuCtxSetCurrent(CUcontext context) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (context && context != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    current = context;
    return CUDA_SUCCESS;
}

API CUresult cuCtxGetCurrent(CUcontext *context) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!context) return CUDA_ERROR_INVALID_VALUE;
    *context = current;
    return CUDA_SUCCESS;
}

API CUresult cuCtxPushCurrent_v2(CUcontext context) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (context != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    pushed.push_back(current);
    current = context;
    return CUDA_SUCCESS;
}

API CUresult cuCtxPopCurrent_v2(CUcontext *context) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!current) return CUDA_ERROR_INVALID_CONTEXT;
    if (context) *context = current;
    current = pushed.empty() ? nullptr : pushed.back();
    if (!pushed.empty()) pushed.pop_back();
    return CUDA_SUCCESS;
}

API CUresult cuCtxGetDevice(CUdevice *device) {
    REQUIRE_CONTEXT();
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    *device = 0;
    return CUDA_SUCCESS;
}

API CUresult cuCtxSynchronize() { return ready(); }

// ---- streams and events (work is done when it is asked for) -------------------------------

API CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
    REQUIRE_CONTEXT();
    if (!stream || flags > 1) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    *stream = new Stream{flags};
    streams.insert(*stream);
    return CUDA_SUCCESS;
}

API CUresult cuStreamCreateWithPriority(CUstream *stream, unsigned flags, int) { return cuStreamCreate(stream, flags); }

API CUresult cuStreamDestroy_v2(CUstream stream) {
    REQUIRE_CONTEXT();
    std::lock_guard<std::mutex> l(lock);
    if (!streams.erase(stream)) return CUDA_ERROR_INVALID_HANDLE;
    delete stream;
    return CUDA_SUCCESS;
}

API CUresult cuStreamSynchronize(CUstream stream) {
    REQUIRE_CONTEXT();
    return valid_stream(stream) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

API CUresult cuStreamQuery(CUstream stream) { return cuStreamSynchronize(stream); }

API CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned) {
    REQUIRE_CONTEXT();
    return valid_stream(stream) && known(events, event) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

API CUresult cuEventCreate(CUevent *event, unsigned flags) {
    REQUIRE_CONTEXT();
    if (!event) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    *event = new Event{flags};
    events.insert(*event);
    return CUDA_SUCCESS;
}

API CUresult cuEventDestroy_v2(CUevent event) {
    REQUIRE_CONTEXT();
    std::lock_guard<std::mutex> l(lock);
    if (!events.erase(event)) return CUDA_ERROR_INVALID_HANDLE;
    delete event;
    return CUDA_SUCCESS;
}

API CUresult cuEventRecord(CUevent event, CUstream stream) {
    REQUIRE_CONTEXT();
    if (!known(events, event) || !valid_stream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    event->recorded = true;
    event->at = std::chrono::steady_clock::now();
    return CUDA_SUCCESS;
}

API CUresult cuEventRecordWithFlags(CUevent event, CUstream stream, unsigned) { return cuEventRecord(event, stream); }

API CUresult cuEventSynchronize(CUevent event) {
    REQUIRE_CONTEXT();
    return known(events, event) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

API CUresult cuEventQuery(CUevent event) { return cuEventSynchronize(event); }

API CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
    REQUIRE_CONTEXT();
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!known(events, start) || !known(events, end)) return CUDA_ERROR_INVALID_HANDLE;
    if (!start->recorded || !end->recorded || ((start->flags | end->flags) & EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_HANDLE;
    *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
    return CUDA_SUCCESS;
}

// ---- memory -----------------------------------------------------------------------------------

API CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    REQUIRE_CONTEXT();
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    return emu::memory::allocate(bytes, p);
}

API CUresult cuMemFree_v2(CUdeviceptr p) {
    REQUIRE_CONTEXT();
    return p == 0 ? CUDA_SUCCESS : emu::memory::release(p);
}

API CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
    REQUIRE_CONTEXT();
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    *total = emu::memory::capacity();
    *free = *total - emu::memory::in_use();
    return CUDA_SUCCESS;
}

// Page-locked host memory is plain host memory here.
API CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned) {
    REQUIRE_CONTEXT();
    if (!p || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    *p = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    if (!*p) return CUDA_ERROR_OUT_OF_MEMORY;
    std::lock_guard<std::mutex> l(lock);
    host_blocks.insert(*p);
    return CUDA_SUCCESS;
}

API CUresult cuMemAllocHost_v2(void **p, size_t bytes) { return cuMemHostAlloc(p, bytes, 0); }

API CUresult cuMemFreeHost(void *p) {
    REQUIRE_CONTEXT();
    std::lock_guard<std::mutex> l(lock);
    if (!host_blocks.erase(p)) return CUDA_ERROR_INVALID_VALUE;
    std::free(p);
    return CUDA_SUCCESS;
}

API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) { return copy((void *) dst, src, bytes, true, false); }
API CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) { return copy(dst, (const void *) src, bytes, false, true); }
API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) { return copy((void *) dst, (const void *) src, bytes, true, true); }

API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {  // unified addressing: either side may be either
    return copy((void *) dst, (const void *) src, bytes, on_device((const void *) dst), on_device((const void *) src));
}

API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, CUstream s) {
    return valid_stream(s) ? cuMemcpyHtoD_v2(dst, src, bytes) : CUDA_ERROR_INVALID_HANDLE;
}
API CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, CUstream s) {
    return valid_stream(s) ? cuMemcpyDtoH_v2(dst, src, bytes) : CUDA_ERROR_INVALID_HANDLE;
}
API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s) {
    return valid_stream(s) ? cuMemcpyDtoD_v2(dst, src, bytes) : CUDA_ERROR_INVALID_HANDLE;
}
API CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s) {
    return valid_stream(s) ? cuMemcpy(dst, src, bytes) : CUDA_ERROR_INVALID_HANDLE;
}

API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) { return fill(dst, v, n); }
API CUresult cuMemsetD16_v2(CUdeviceptr dst, unsigned short v, size_t n) { return fill(dst, v, n); }
API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t n) { return fill(dst, v, n); }
API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) {
    return valid_stream(s) ? fill(dst, v, n) : CUDA_ERROR_INVALID_HANDLE;
}
API CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n, CUstream s) {
    return valid_stream(s) ? fill(dst, v, n) : CUDA_ERROR_INVALID_HANDLE;
}
API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, CUstream s) {
    return valid_stream(s) ? fill(dst, v, n) : CUDA_ERROR_INVALID_HANDLE;
}

// ---- modules and kernels ---------------------------------------------------------------------

// Takes the project's fatbin (magic 0xBA55ED50, version 1, header size, size of what follows); the
// kernels it holds are the stand-in's own, compiled from the same sources.
API CUresult cuModuleLoadData(CUmodule *module, const void *image) {
    REQUIRE_CONTEXT();
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    uint32_t magic;
    uint16_t version, header;
    uint64_t body;
    std::memcpy(&magic, image, 4);
    std::memcpy(&version, (const char *) image + 4, 2);
    std::memcpy(&header, (const char *) image + 6, 2);
    std::memcpy(&body, (const char *) image + 8, 8);
    if (magic != 0xBA55ED50u || version != 1 || header < 16 || body == 0 || body > (uint64_t(1) << 32)) {
        say("cuModuleLoadData: the image is not a fatbin; the stand-in runs only the project's kernels, from its fatbin");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    auto *m = new Module;
    m->image.assign((const char *) image, (const char *) image + header + body);
    std::lock_guard<std::mutex> l(lock);
    modules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

API CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned, void *, void **) {
    return cuModuleLoadData(module, image);
}

API CUresult cuModuleUnload(CUmodule module) {
    REQUIRE_CONTEXT();
    std::lock_guard<std::mutex> l(lock);
    if (!modules.erase(module)) return CUDA_ERROR_INVALID_HANDLE;
    for (auto &f : module->functions) functions.erase(f.get());
    delete module;
    return CUDA_SUCCESS;
}

// A kernel the fatbin holds (its name appears there as a symbol) and the stand-in has compiled.
API CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
    REQUIRE_CONTEXT();
    if (!function || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!known(modules, module)) return CUDA_ERROR_INVALID_HANDLE;
    const emu::Kernel *kernel = emu::find_kernel(name);
    std::string symbol = std::string(1, '\0') + name + '\0';
    const auto &image = module->image;
    if (!kernel || std::search(image.begin(), image.end(), symbol.begin(), symbol.end()) == image.end()) return CUDA_ERROR_NOT_FOUND;
    std::lock_guard<std::mutex> l(lock);
    module->functions.push_back(std::make_unique<Function>(Function{kernel, SHARED_PER_BLOCK - kernel->static_shared}));
    *function = module->functions.back().get();
    functions.insert(*function);
    return CUDA_SUCCESS;
}

API CUresult cuFuncGetAttribute(int *value, int attribute, CUfunction f) {
    REQUIRE_CONTEXT();
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    if (!known(functions, f)) return CUDA_ERROR_INVALID_HANDLE;
    switch (attribute) {
        case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = (int) max_threads(*f->kernel); break;
        case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *value = (int) f->kernel->static_shared; break;
        case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *value = 0; break;
        case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *value = 0; break;
        case CU_FUNC_ATTRIBUTE_NUM_REGS: *value = (int) f->kernel->registers; break;
        case CU_FUNC_ATTRIBUTE_PTX_VERSION: *value = 90; break;
        case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *value = 90; break;
        case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *value = (int) f->max_dynamic_shared; break;
        default: return kora_emu_unsupported(("cuFuncGetAttribute of attribute " + std::to_string(attribute)).c_str());
    }
    return CUDA_SUCCESS;
}

API CUresult cuFuncSetAttribute(CUfunction f, int attribute, int value) {
    REQUIRE_CONTEXT();
    if (!known(functions, f)) return CUDA_ERROR_INVALID_HANDLE;
    if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
        return kora_emu_unsupported(("cuFuncSetAttribute of attribute " + std::to_string(attribute)).c_str());
    if (value < 0 || (unsigned) value + f->kernel->static_shared > SHARED_OPT_IN) return CUDA_ERROR_INVALID_VALUE;
    f->max_dynamic_shared = (unsigned) value;
    return CUDA_SUCCESS;
}

API CUresult cuFuncSetCacheConfig(CUfunction f, int) {
    REQUIRE_CONTEXT();
    return known(functions, f) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

// Checks the launch as the driver does (errors returned here), then runs the whole grid. A fault
// inside it (a pointer that is not live device memory, a barrier that cannot complete) is
// reported as a GPU reports it: the launch succeeds, the next call and every later one fail.
API CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned shared, CUstream stream, void **params, void **extra) {
    REQUIRE_CONTEXT();
    if (!known(functions, f) || !valid_stream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    const emu::Kernel &k = *f->kernel;
    if (extra) return kora_emu_unsupported("cuLaunchKernel with `extra` (parameters in one buffer)");
    unsigned long long threads = (unsigned long long) bx * by * bz;
    if (!gx || !gy || !gz || !bx || !by || !bz || bx > 1024 || by > 1024 || bz > 64 || threads > MAX_THREADS ||
        gx > 2147483647u || gy > 65535 || gz > 65535)
        return CUDA_ERROR_INVALID_VALUE;
    // More threads than __launch_bounds__ allows: an H100 with driver 580 answers INVALID_VALUE here.
    if (threads > max_threads(k)) return CUDA_ERROR_INVALID_VALUE;
    if (shared > f->max_dynamic_shared) return CUDA_ERROR_INVALID_VALUE;
    if (k.parameter_count > 0 && !params) return CUDA_ERROR_INVALID_VALUE;
    if (trace) std::fprintf(stderr, "kora4j CUDA stand-in: %s grid (%u,%u,%u) block (%u,%u,%u) shared %u\n", k.name, gx, gy, gz, bx, by, bz, shared);

    std::vector<emu::KernelParameter> pointers;
    std::function<void()> thread = k.bind(params, pointers);
    for (const emu::KernelParameter &p : pointers) {
        auto where = p.pointer ? emu::memory::classify((uintptr_t) p.pointer, 0) : emu::memory::Range::DEVICE;
        if (where != emu::memory::Range::DEVICE) {
            std::string what = std::string("kernel ") + k.name + ": parameter " + std::to_string(p.index) + " points to " +
                               (where == emu::memory::Range::FREED ? "device memory that was freed" : "memory that is not device memory");
            kora_emu_fault(CUDA_ERROR_ILLEGAL_ADDRESS, what.c_str());
            return CUDA_SUCCESS;
        }
    }
    std::string error = emu::run_grid(dim3{gx, gy, gz}, dim3{bx, by, bz}, shared, thread);
    if (!error.empty()) kora_emu_fault(CUDA_ERROR_LAUNCH_FAILED, (std::string("kernel ") + k.name + ": " + error).c_str());
    return CUDA_SUCCESS;
}
