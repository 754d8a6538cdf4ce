// The grid engine (grid.h). Each CPU thread of the pool runs whole blocks, one at a time: the
// block's GPU threads are fibers with stacks of their own, started in index order; a fiber runs
// until it ends or waits at a barrier (__syncthreads for the block, __syncwarp and the shuffles
// for its warp of 32), and the scheduler resumes waiting fibers once everyone they wait for has
// arrived. A thread that has ended no longer counts at barriers, as on the GPU.
#include "grid.h"

#include <sched.h>
#include <sys/mman.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace emu {
namespace {

// A thread's slot (SLOT_BYTES, aligned): its header page, a guard page that is never mapped (an
// overflowing stack faults there instead of overwriting the header), then the stack.
constexpr size_t PAGE = 4096;
constexpr size_t STACK_OFFSET = 2 * PAGE;

// ---- switching stacks -----------------------------------------------------------------------

#if defined(__x86_64__)
// Saves the callee-saved registers on the current stack, stores its pointer in *save, and
// continues on the stack `next` (whose top holds the same six registers and a return address).
extern "C" void emu_switch_stack(void **save, void *next);
asm(R"(
    .text
    .p2align 4
    .type emu_switch_stack, @function
emu_switch_stack:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch_stack, .-emu_switch_stack
)");

struct Context {
    void *sp = nullptr;
};

void switch_context(Context &from, const Context &to) { emu_switch_stack(&from.sp, to.sp); }

// A context that starts `entry` on the stack [base, base + bytes) when first switched to.
void make_context(Context &c, char *base, size_t bytes, void (*entry)()) {
    void **sp = (void **) (((uintptr_t) (base + bytes)) & ~(uintptr_t) 15);
    *--sp = nullptr;           // entry's return address: it never returns
    *--sp = (void *) entry;    // where emu_switch_stack's ret goes
    for (int i = 0; i < 6; i++) *--sp = nullptr;  // rbp, rbx, r12-r15
    c.sp = sp;
}
#else
// Elsewhere the C library's contexts (slower: each switch is a system call).
struct Context {
    ucontext_t uc;
};

void switch_context(Context &from, const Context &to) { swapcontext(&from.uc, &to.uc); }

void make_context(Context &c, char *base, size_t bytes, void (*entry)()) {
    getcontext(&c.uc);
    c.uc.uc_stack.ss_sp = base;
    c.uc.uc_stack.ss_size = bytes;
    c.uc.uc_link = nullptr;
    makecontext(&c.uc, entry, 0);
}
#endif

// ---- one block --------------------------------------------------------------------------------

struct Fiber;
struct Worker;

struct Barrier {
    unsigned expected = 0;  // threads that have not ended
    unsigned arrived = 0;
    std::vector<Fiber *> waiting;
};

struct Fiber {
    enum State { NEW, RUNNING, WAITING, DONE };
    State state = NEW;
    Context context;
    char *slot = nullptr;
    unsigned linear = 0;
    const Barrier *waiting_on = nullptr;
    unsigned shuffles = 0;  // shuffles done: their exchange slots alternate between two banks
};

// The start of a thread's slot: ThreadInfo first, so that self() finds it.
struct Header {
    ThreadInfo info;
    Fiber *fiber;
    Worker *worker;
};

struct Worker {
    Context scheduler;
    const std::function<void()> *thread = nullptr;
    dim3 block_dim, grid_dim;
    unsigned threads = 0;
    std::vector<Fiber> fibers;
    std::vector<Fiber *> ready;  // passed a barrier, to resume
    size_t next_ready = 0;
    Barrier block;
    std::vector<Barrier> warps;
    std::vector<uint64_t> slots;  // shuffles: [2 banks][threads]
    std::vector<char> shared;     // dynamic shared memory
    std::vector<char *> free_slots;

    void prepare(dim3 grid, dim3 dims, size_t shared_bytes, const std::function<void()> &body);
    std::string run_block(dim3 index);
    std::string stuck(dim3 index, unsigned done);
    char *take_slot();
};

thread_local Worker worker;  // of the pool thread; the scheduler's only, fibers find theirs in their header

Header &me() { return (Header &) self(); }

void pass(Worker &w, Barrier &b) {
    w.ready.insert(w.ready.end(), b.waiting.begin(), b.waiting.end());
    b.waiting.clear();
    b.arrived = 0;
}

// A thread arrives at b: the last to arrive lets everyone through; the others wait for that.
void arrive(Barrier &b) {
    Header &h = me();
    if (++b.arrived == b.expected) {
        pass(*h.worker, b);
        return;
    }
    Fiber *f = h.fiber;
    f->state = Fiber::WAITING;
    f->waiting_on = &b;
    b.waiting.push_back(f);
    switch_context(f->context, h.worker->scheduler);
}

// A thread ends: it is no longer waited for.
void leave(Worker &w, Barrier &b) {
    b.expected--;
    if (b.arrived > 0 && b.arrived == b.expected) pass(w, b);
}

[[noreturn]] void fiber_main() {
    Header &h = me();
    Worker &w = *h.worker;
    (*w.thread)();
    Fiber *f = h.fiber;
    leave(w, w.block);
    leave(w, w.warps[f->linear / 32]);
    f->state = Fiber::DONE;
    switch_context(f->context, w.scheduler);
    std::abort();  // a finished fiber is never resumed
}

char *Worker::take_slot() {
    if (!free_slots.empty()) {
        char *s = free_slots.back();
        free_slots.pop_back();
        return s;
    }
    // Twice the size, then the aligned half kept.
    char *p = (char *) mmap(nullptr, 2 * SLOT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        std::fprintf(stderr, "kora4j CUDA stand-in: no memory for a thread's stack\n");
        std::abort();
    }
    char *slot = (char *) (((uintptr_t) p + SLOT_BYTES - 1) & ~(uintptr_t) (SLOT_BYTES - 1));
    if (slot > p) munmap(p, slot - p);
    if (slot + SLOT_BYTES < p + 2 * SLOT_BYTES) munmap(slot + SLOT_BYTES, p + 2 * SLOT_BYTES - (slot + SLOT_BYTES));
    mprotect(slot + PAGE, PAGE, PROT_NONE);
    return slot;
}

void Worker::prepare(dim3 grid, dim3 dims, size_t shared_bytes, const std::function<void()> &body) {
    thread = &body;
    grid_dim = grid;
    block_dim = dims;
    threads = dims.x * dims.y * dims.z;
    fibers.assign(threads, Fiber{});
    for (unsigned t = 0; t < threads; t++) fibers[t].linear = t;
    warps.assign((threads + 31) / 32, Barrier{});
    slots.assign(2 * (size_t) threads, 0);
    shared.resize(shared_bytes);
}

// Every unfinished thread waits at a barrier that the others will never reach. Their stacks are
// abandoned with the block (they cannot be unwound).
std::string Worker::stuck(dim3 index, unsigned done) {
    unsigned at_block = 0, at_warp = 0;
    for (Fiber &f : fibers)
        if (f.state == Fiber::WAITING) (f.waiting_on == &block ? at_block : at_warp)++;
    for (Barrier &b : warps) b.waiting.clear();
    block.waiting.clear();
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "block (%u,%u,%u) cannot finish: %u threads wait at __syncthreads, %u at a warp barrier, "
                  "%u have ended (a barrier not reached by every thread)",
                  index.x, index.y, index.z, at_block, at_warp, done);
    return buf;
}

// Starts the threads in index order, resuming those that have passed a barrier before starting
// more, until all have ended or none can go on.
std::string Worker::run_block(dim3 index) {
    block.expected = threads;
    block.arrived = 0;
    for (unsigned w = 0; w < warps.size(); w++) {
        warps[w].expected = std::min(32u, threads - 32 * w);
        warps[w].arrived = 0;
    }
    std::memset(shared.data(), 0xff, shared.size());  // reads before writes show as NaN
    ready.clear();
    next_ready = 0;
    unsigned started = 0, done = 0;
    while (done < threads) {
        Fiber *f;
        if (next_ready < ready.size()) {
            f = ready[next_ready++];
        } else if (started < threads) {
            f = &fibers[started++];
            f->state = Fiber::NEW;
            f->shuffles = 0;
            f->slot = take_slot();
            unsigned t = f->linear;
            dim3 at{t % block_dim.x, (t / block_dim.x) % block_dim.y, t / (block_dim.x * block_dim.y)};
            new (f->slot) Header{ThreadInfo{at, index, block_dim, grid_dim}, f, this};
            make_context(f->context, f->slot + STACK_OFFSET, SLOT_BYTES - STACK_OFFSET, fiber_main);
        } else {
            return stuck(index, done);
        }
        if (next_ready == ready.size()) {
            ready.clear();
            next_ready = 0;
        }
        f->state = Fiber::RUNNING;
        switch_context(scheduler, f->context);
        if (f->state == Fiber::DONE) {
            free_slots.push_back(f->slot);  // the next thread starts on it, while it is in cache
            done++;
        }
    }
    return "";
}

// ---- the pool of CPU threads ------------------------------------------------------------------

unsigned count_workers() {
    if (const char *s = std::getenv("KORA_CUDA_EMULATOR_THREADS")) {
        int n = std::atoi(s);
        if (n > 0) return (unsigned) n;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return (unsigned) std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

// Fibers run only on these threads, never on the caller's (a JVM thread, whose stack the JVM watches).
class Pool {
public:
    explicit Pool(unsigned n) {
        for (unsigned i = 0; i < n; i++) std::thread([this] { serve(); }).detach();
        size = n;
    }

    // Runs task on every thread of the pool and returns when all have finished it.
    void run(const std::function<void()> &task) {
        std::lock_guard<std::mutex> one_at_a_time(serial);
        std::unique_lock<std::mutex> l(lock);
        job = &task;
        busy = size;
        round++;
        wake.notify_all();
        finished.wait(l, [this] { return busy == 0; });
        job = nullptr;
    }

    unsigned size = 0;

private:
    void serve() {
        uint64_t seen = 0;
        for (;;) {
            const std::function<void()> *task;
            {
                std::unique_lock<std::mutex> l(lock);
                wake.wait(l, [&] { return round != seen; });
                seen = round;
                task = job;
            }
            (*task)();
            std::lock_guard<std::mutex> l(lock);
            if (--busy == 0) finished.notify_one();
        }
    }

    std::mutex serial, lock;
    std::condition_variable wake, finished;
    const std::function<void()> *job = nullptr;
    uint64_t round = 0;
    unsigned busy = 0;
};

Pool &pool() {
    static Pool *p = new Pool(count_workers());  // never destroyed: its threads live as long as the process
    return *p;
}

}  // namespace

unsigned worker_count() { return pool().size; }

std::string run_grid(dim3 grid, dim3 block, size_t dynamic_shared_bytes, const std::function<void()> &thread) {
    long blocks = (long) grid.x * grid.y * grid.z;
    std::atomic<long> next{0};
    std::atomic<bool> failed{false};
    std::mutex lock;
    std::string error;
    pool().run([&] {
        worker.prepare(grid, block, dynamic_shared_bytes, thread);
        for (long b; !failed.load(std::memory_order_relaxed) && (b = next.fetch_add(1)) < blocks;) {
            dim3 index{(unsigned) (b % grid.x), (unsigned) (b / grid.x % grid.y), (unsigned) (b / ((long) grid.x * grid.y))};
            std::string e = worker.run_block(index);
            if (!e.empty()) {
                std::lock_guard<std::mutex> l(lock);
                if (error.empty()) error = e;
                failed = true;
            }
        }
    });
    return error;
}

void parallel_for(long count, const std::function<void(long)> &body) {
    std::atomic<long> next{0};
    pool().run([&] {
        for (long i; (i = next.fetch_add(1)) < count;) body(i);
    });
}

void sync_block() { arrive(me().worker->block); }

void sync_warp() {
    Header &h = me();
    arrive(h.worker->warps[h.fiber->linear / 32]);
}

uint64_t shuffle_xor(uint64_t bits, int lane_mask) {
    Header &h = me();
    Worker &w = *h.worker;
    Fiber *f = h.fiber;
    // Two banks: a thread can only write a bank again after passing the next shuffle's barrier,
    // which every thread of its warp reaches only after reading this one.
    uint64_t *bank = w.slots.data() + (size_t) (f->shuffles++ & 1) * w.threads;
    bank[f->linear] = bits;
    arrive(w.warps[f->linear / 32]);
    unsigned other = (f->linear & ~31u) | ((f->linear ^ (unsigned) lane_mask) & 31u);
    return other < w.threads ? bank[other] : bits;
}

void *dynamic_shared() { return me().worker->shared.data(); }

}  // namespace emu
