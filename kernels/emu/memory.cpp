#include "memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>

namespace emu::memory {
namespace {

constexpr size_t PAGE = 4096;
constexpr size_t RESERVED = size_t(1) << 40;        // address space set aside: 1 TiB, mapped as needed
constexpr size_t H200_BYTES = 143771140096ull;      // what an H200 reports as its total memory

struct Allocation {
    size_t bytes;    // as asked for
    size_t mapped;   // rounded up to pages
    size_t charged;  // against the capacity: rounded up to 512 bytes, the alignment CUDA gives
    bool live;
};

std::mutex lock;
std::map<uintptr_t, Allocation> allocations;  // by start address, freed ones included
char *region = nullptr;
size_t next = 0;  // offset of the next allocation in the region (a page gap is left after each)
size_t used = 0;
size_t limit = 0;

size_t default_capacity() {  // half the host's memory, at most an H200's
    size_t host = (size_t) sysconf(_SC_PHYS_PAGES) * (size_t) sysconf(_SC_PAGESIZE);
    return std::min(host / 2, H200_BYTES);
}

}  // namespace

std::string configure() {
    std::lock_guard<std::mutex> l(lock);
    limit = default_capacity();
    if (const char *s = std::getenv("KORA_CUDA_EMULATOR_MEMORY"); s && *s) {
        char *end;
        errno = 0;
        unsigned long long n = std::strtoull(s, &end, 10);
        int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
        if (shift) end++;
        if (errno || end == s || *end || n == 0 || n > (RESERVED >> shift) / 2)
            return std::string("KORA_CUDA_EMULATOR_MEMORY=") + s + " is not a size (bytes, or a number with K, M or G, below 512G)";
        limit = (size_t) n << shift;
    }
    if (!region) {
        void *p = mmap(nullptr, RESERVED, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return "could not reserve address space for device memory";
        region = (char *) p;
    }
    return "";
}

CUresult allocate(size_t bytes, CUdeviceptr *out) {
    if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(lock);
    size_t mapped = (bytes + PAGE - 1) / PAGE * PAGE, charged = (bytes + 511) / 512 * 512;
    if (used + charged > limit || next + mapped + PAGE > RESERVED) return CUDA_ERROR_OUT_OF_MEMORY;
    char *at = region + next;
    if (mprotect(at, mapped, PROT_READ | PROT_WRITE) != 0) return CUDA_ERROR_OUT_OF_MEMORY;
    next += mapped + PAGE;  // the page after stays unmapped: running off the end faults
    used += charged;
    allocations[(uintptr_t) at] = Allocation{bytes, mapped, charged, true};
    *out = (CUdeviceptr) (uintptr_t) at;
    return CUDA_SUCCESS;
}

CUresult release(CUdeviceptr p) {
    std::lock_guard<std::mutex> l(lock);
    auto it = allocations.find((uintptr_t) p);
    if (it == allocations.end() || !it->second.live) return CUDA_ERROR_INVALID_VALUE;
    madvise((void *) p, it->second.mapped, MADV_DONTNEED);  // gives the pages back
    mprotect((void *) p, it->second.mapped, PROT_NONE);
    it->second.live = false;
    used -= it->second.charged;
    return CUDA_SUCCESS;
}

Range classify(uintptr_t p, size_t bytes) {
    std::lock_guard<std::mutex> l(lock);
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return Range::OUTSIDE;
    --it;
    const Allocation &a = it->second;
    if (p + bytes > it->first + a.mapped) return Range::OUTSIDE;
    if (!a.live) return Range::FREED;
    return p + bytes <= it->first + a.bytes ? Range::DEVICE : Range::OUTSIDE;
}

size_t capacity() {
    std::lock_guard<std::mutex> l(lock);
    return limit;
}

size_t in_use() {
    std::lock_guard<std::mutex> l(lock);
    return used;
}

}  // namespace emu::memory
