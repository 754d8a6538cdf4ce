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
#include <thread>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace emu {
namespace {

// A fiber's stack: kernels keep a few hundred bytes of locals; libm's functions need little more.
constexpr size_t STACK_BYTES = 64 * 1024;
constexpr size_t GUARD_BYTES = 4096;  // below the stack, unmapped: an overflow faults instead of corrupting

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

struct Barrier {
    unsigned expected = 0;  // threads that have not ended
    unsigned arrived = 0;
    uint64_t generation = 0;  // passes so far
};

struct Fiber {
    enum State { NEW, RUNNING, WAITING, DONE };
    State state = NEW;
    Context context;
    char *stack = nullptr;
    dim3 index;
    unsigned linear = 0;
    const Barrier *waiting_on = nullptr;
    uint64_t waiting_for = 0;  // the generation of waiting_on it waits to see pass
    unsigned shuffles = 0;     // shuffles done: their exchange slots alternate between two banks
};

struct Worker {
    Context scheduler;
    Fiber *current = nullptr;
    const std::function<void()> *thread = nullptr;
    unsigned threads = 0;
    std::vector<Fiber> fibers;
    Barrier block;
    std::vector<Barrier> warps;
    std::vector<uint64_t> slots;  // shuffles: [2 banks][threads]
    std::vector<char> shared;     // dynamic shared memory
    std::vector<char *> free_stacks;

    void prepare(dim3 dims, size_t shared_bytes, const std::function<void()> &body);
    std::string run_block(dim3 index);
    char *take_stack();
};

thread_local Worker worker;

void pass(Barrier &b) {
    b.arrived = 0;
    b.generation++;
}

// A thread arrives at b: the last to arrive lets everyone through; the others wait for that.
void arrive(Barrier &b) {
    if (++b.arrived == b.expected) {
        pass(b);
        return;
    }
    Worker &w = worker;
    Fiber *f = w.current;
    f->state = Fiber::WAITING;
    f->waiting_on = &b;
    f->waiting_for = b.generation;
    switch_context(f->context, w.scheduler);
}

// A thread ends: it is no longer waited for.
void leave(Barrier &b) {
    b.expected--;
    if (b.arrived > 0 && b.arrived == b.expected) pass(b);
}

[[noreturn]] void fiber_main() {
    Worker &w = worker;
    (*w.thread)();
    Fiber *f = w.current;
    leave(w.block);
    leave(w.warps[f->linear / 32]);
    f->state = Fiber::DONE;
    switch_context(f->context, w.scheduler);
    std::abort();  // a finished fiber is never resumed
}

char *Worker::take_stack() {
    if (!free_stacks.empty()) {
        char *s = free_stacks.back();
        free_stacks.pop_back();
        return s;
    }
    void *p = mmap(nullptr, GUARD_BYTES + STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        std::fprintf(stderr, "kora4j CUDA stand-in: no memory for a thread's stack\n");
        std::abort();
    }
    mprotect(p, GUARD_BYTES, PROT_NONE);
    return (char *) p + GUARD_BYTES;
}

void Worker::prepare(dim3 dims, size_t shared_bytes, const std::function<void()> &body) {
    thread = &body;
    threads = dims.x * dims.y * dims.z;
    fibers.assign(threads, Fiber{});
    for (unsigned t = 0; t < threads; t++) {
        fibers[t].linear = t;
        fibers[t].index = dim3{t % dims.x, (t / dims.x) % dims.y, t / (dims.x * dims.y)};
    }
    warps.assign((threads + 31) / 32, Barrier{});
    slots.assign(2 * (size_t) threads, 0);
    shared.resize(shared_bytes);
}

std::string Worker::run_block(dim3 index) {
    blockIdx = index;
    block = Barrier{threads, 0, 0};
    for (unsigned w = 0; w < warps.size(); w++) warps[w] = Barrier{std::min(32u, threads - 32 * w), 0, 0};
    for (Fiber &f : fibers) {
        f.state = Fiber::NEW;
        f.shuffles = 0;
    }
    std::memset(shared.data(), 0xff, shared.size());  // reads before writes show as NaN
    unsigned done = 0;
    while (done < threads) {
        bool progressed = false;
        for (Fiber &f : fibers) {
            if (f.state == Fiber::NEW) {
                f.stack = take_stack();
                make_context(f.context, f.stack, STACK_BYTES, fiber_main);
            } else if (f.state != Fiber::WAITING || f.waiting_on->generation == f.waiting_for) {
                continue;
            }
            current = &f;
            threadIdx = f.index;
            f.state = Fiber::RUNNING;
            switch_context(scheduler, f.context);
            progressed = true;
            if (f.state == Fiber::DONE) {
                free_stacks.push_back(f.stack);  // the next thread starts on it, while it is in cache
                done++;
            }
        }
        if (!progressed) {
            unsigned at_block = 0, at_warp = 0;
            for (Fiber &f : fibers)
                if (f.state == Fiber::WAITING) (f.waiting_on == &block ? at_block : at_warp)++;
            // Their stacks are abandoned with the block (they cannot be unwound).
            for (Fiber &f : fibers) f.state = Fiber::DONE;
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "block (%u,%u,%u) cannot finish: %u threads wait at __syncthreads, %u at a warp barrier, "
                          "%u have ended (a barrier not reached by every thread)",
                          index.x, index.y, index.z, at_block, at_warp, done);
            return buf;
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
        gridDim = grid;
        blockDim = block;
        worker.prepare(block, dynamic_shared_bytes, thread);
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

void sync_block() { arrive(worker.block); }

void sync_warp() { arrive(worker.warps[worker.current->linear / 32]); }

uint64_t shuffle_xor(uint64_t bits, int lane_mask) {
    Worker &w = worker;
    Fiber *f = w.current;
    // Two banks: a thread can only write a bank again after passing the next shuffle's barrier,
    // which every thread of its warp reaches only after reading this one.
    uint64_t *bank = w.slots.data() + (size_t) (f->shuffles++ & 1) * w.threads;
    bank[f->linear] = bits;
    sync_warp();
    unsigned other = (f->linear & ~31u) | ((f->linear ^ (unsigned) lane_mask) & 31u);
    return other < w.threads ? bank[other] : bits;
}

void *dynamic_shared() { return worker.shared.data(); }

}  // namespace emu
