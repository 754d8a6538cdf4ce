package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private int before;

    @BeforeEach
    void threeThreads() {
        before = Parallel.threads();
        Parallel.setThreads(3);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    @Test
    void everyTaskRunsExactlyOnceOnSeveralThreads() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 200; round++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(37);
            Parallel.forEach(37, i -> {
                runs.incrementAndGet(i);
                threads.add(Thread.currentThread().getName());
                spin(20_000);
            });
            for (int i = 0; i < 37; i++) {
                assertEquals(1, runs.get(i), "task " + i + " of round " + round);
            }
        }
        assertTrue(threads.size() > 1, "the helpers took part: " + threads);
        assertTrue(threads.contains(Thread.currentThread().getName()), "the caller took part: " + threads);
    }

    @Test
    void aFailingTaskFailsTheLoopWithItsOwnExceptionAndThePoolGoesOn() {
        IllegalStateException thrown = new IllegalStateException("task 5");
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> Parallel.forEach(16, i -> {
            if (i == 5) {
                throw thrown;
            }
        })));
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        Parallel.forEach(16, runs::incrementAndGet);
        for (int i = 0; i < 16; i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void aLoopInsideATaskRunsSeriallyOnThatTasksThread() {
        AtomicIntegerArray runs = new AtomicIntegerArray(8 * 8);
        Parallel.forEach(8, outer -> {
            assertTrue(Parallel.inWorker());
            String thread = Thread.currentThread().getName();
            Parallel.forEach(8, inner -> {
                assertEquals(thread, Thread.currentThread().getName());
                runs.incrementAndGet(outer * 8 + inner);
            });
        });
        for (int i = 0; i < 64; i++) {
            assertEquals(1, runs.get(i));
        }
        assertFalse(Parallel.inWorker(), "outside a loop");
    }

    @Test
    void twoCallersAtOnceBothFinish() throws Exception {
        AtomicIntegerArray runs = new AtomicIntegerArray(2 * 50);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] callers = new Thread[2];
        Throwable[] failures = new Throwable[2];
        for (int c = 0; c < 2; c++) {
            int caller = c;
            callers[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 50; round++) {
                        int r = round;
                        Parallel.forEach(4, i -> {
                            if (i == 0) {
                                runs.incrementAndGet(caller * 50 + r);
                            }
                            spin(5_000);
                        });
                    }
                } catch (Throwable t) {
                    failures[caller] = t;
                }
            });
            callers[c].start();
        }
        start.countDown();
        for (Thread t : callers) {
            t.join(60_000);
            assertFalse(t.isAlive(), "a caller is stuck");
        }
        assertEquals(null, failures[0]);
        assertEquals(null, failures[1]);
        for (int i = 0; i < 100; i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void helpersThatParkedWakeForTheNextLoop() throws Exception {
        Parallel.forEach(4, i -> spin(1_000));
        Thread.sleep(50); // far past the helpers' watch: they park
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 20 && threads.size() < 2; round++) {
            Parallel.forEach(8, i -> {
                threads.add(Thread.currentThread().getName());
                spin(200_000);
            });
        }
        assertTrue(threads.size() > 1, "a parked helper joined a later loop: " + threads);
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
