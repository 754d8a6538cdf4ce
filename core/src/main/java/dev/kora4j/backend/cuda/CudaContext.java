package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The one GPU this process computes on: its primary context, one stream that every launch and
 * copy goes through (so work runs in the order it was asked for, and memory freed by one op can
 * be reused by the next without a sync), the kernel module loaded from the fatbin resource, and
 * the caching allocator. Made on first use; nothing of JCuda loads before.
 *
 * <p>The device is the one numbered {@code kora.cuda.device} (system property, default 0); with
 * {@code KORA_CUDA_EMULATOR=1} in the environment it is the CPU stand-in ({@link CudaStandIn}).
 * With {@code -Dkora.cuda.sync=true} every launch is followed by a stream sync, so that a faulting
 * kernel is reported at its own launch (tests use it); otherwise errors surface at the next sync.
 */
public final class CudaContext {
    static final String FATBIN = "/dev/kora4j/backend/cuda/kora.fatbin";

    private static volatile CudaContext instance;
    private static volatile RuntimeException failure;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private String name; // set once, in open()
    private int capability;
    private long totalMemory;
    private final boolean syncEachLaunch = Boolean.getBoolean("kora.cuda.sync");
    private final boolean standIn = CudaStandIn.requested();
    private final AtomicLong hostCopies = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final Map<String, Long> launches = new java.util.concurrent.ConcurrentHashMap<>();
    private final boolean traceHostCopies = Boolean.getBoolean("kora.cuda.traceHostCopies");
    final CudaAllocator allocator;

    /** The context, made on first call; throws {@link CudaUnavailableException} (every time) if it cannot be. */
    public static CudaContext get() {
        CudaContext c = instance;
        if (c != null) {
            return c;
        }
        synchronized (CudaContext.class) {
            if (instance == null && failure == null) {
                try {
                    instance = new CudaContext(Integer.getInteger("kora.cuda.device", 0));
                } catch (CudaUnavailableException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw new CudaUnavailableException(failure.getMessage(), failure);
            }
            return instance;
        }
    }

    /** Whether a cuda device can be used here (loads the driver binding the first time it is asked). */
    public static boolean available() {
        try {
            get();
            return true;
        } catch (CudaUnavailableException e) {
            return false;
        }
    }

    private CudaContext(int ordinal) {
        byte[] fatbin = readFatbin();
        if (standIn) {
            CudaStandIn.load(); // before JCuda's bindings load, so that they bind to it
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (LinkageError e) {
            String why = String.valueOf(e.getMessage()).contains("libcuda.so") ? "libcuda.so.1 was not found" : firstLine(e.getMessage());
            throw new CudaUnavailableException("cuda: the CUDA driver could not be loaded (" + why + "; is an NVIDIA driver installed?)", e);
        } catch (CudaException e) {
            throw new CudaUnavailableException("cuda: the CUDA driver did not start (" + firstLine(e.getMessage()) + ")", e);
        }
        try {
            name = open(ordinal, fatbin);
        } catch (CudaException e) {
            throw new CudaUnavailableException("cuda: device " + ordinal + " could not be opened (" + firstLine(e.getMessage()) + ")", e);
        }
        allocator = new CudaAllocator(this);
    }

    /** Selects the device, retains its primary context, makes the stream and loads the kernels; returns the device's name. */
    private String open(int ordinal, byte[] fatbin) {
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new CudaUnavailableException(count[0] == 0 ? "cuda: no CUDA device is present"
                    : "cuda: device " + ordinal + " requested (kora.cuda.device) but only " + count[0] + " present");
        }
        cuDeviceGet(device, ordinal);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, device);
        String raw = new String(nameBytes, StandardCharsets.US_ASCII);
        String deviceName = raw.indexOf('\0') < 0 ? raw : raw.substring(0, raw.indexOf('\0'));
        int[] major = new int[1], minor = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        capability = major[0] * 10 + minor[0];
        long[] bytes = new long[1];
        cuDeviceTotalMem(bytes, device);
        totalMemory = bytes[0];
        if (capability < 80) {
            throw new CudaUnavailableException("cuda: " + deviceName + " (sm_" + capability + ") is older than the sm_80 the kernels are built for");
        }
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        cuModuleLoadData(module, fatbin);
        return deviceName;
    }

    /** JCuda's load errors run to many lines; the user gets the first. */
    private static String firstLine(String message) {
        String m = String.valueOf(message).strip();
        int end = m.indexOf('\n');
        return end < 0 ? m : m.substring(0, end).strip();
    }

    private static byte[] readFatbin() {
        try (InputStream in = CudaContext.class.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new CudaUnavailableException("cuda: this build of kora4j has no CUDA kernels (nvcc was not on the PATH when it was built)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CudaUnavailableException("cuda: could not read the kernels' fatbin: " + e.getMessage(), e);
        }
    }

    /** Makes the context current on the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    /** Whether the device is the CPU stand-in (KORA_CUDA_EMULATOR=1): results are the kernels' own, timings mean nothing. */
    public boolean standIn() {
        return standIn;
    }

    /** The device's memory in bytes. */
    public long totalMemory() {
        return totalMemory;
    }

    public String deviceName() {
        return name;
    }

    /** Compute capability as major·10 + minor (90 for Hopper). */
    public int capability() {
        return capability;
    }

    CUstream stream() {
        return stream;
    }

    CUdevice device() {
        return device;
    }

    /**
     * Copies {@code bytes} from the device to the host and waits for them: the one way results come
     * back, counted ({@link #hostCopies}), since each stalls the host until the stream has caught up.
     * {@code -Dkora.cuda.traceHostCopies=true} prints where each one comes from.
     */
    void copyToHost(Pointer host, CUdeviceptr device, long bytes) {
        makeCurrent();
        hostCopies.incrementAndGet();
        if (traceHostCopies) {
            new Throwable("cuda: a copy of " + bytes + " bytes to the host").printStackTrace();
        }
        cuMemcpyDtoHAsync(host, device, bytes, stream);
        sync();
    }

    /** Device-to-host copies so far. */
    long hostCopies() {
        return hostCopies.get();
    }

    /** How many times each of the project's kernels has been launched so far (cuBLAS's are not counted). */
    Map<String, Long> launches() {
        return Map.copyOf(launches);
    }

    /** Times the host has waited for the stream so far. */
    long syncs() {
        return syncs.get();
    }

    /** Waits for everything queued on the stream; errors of earlier launches surface here. */
    void sync() {
        makeCurrent();
        syncs.incrementAndGet();
        cuStreamSynchronize(stream);
    }

    synchronized CUfunction function(String kernel) {
        return functions.computeIfAbsent(kernel, k -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, k);
            return f;
        });
    }

    /**
     * Launches {@code kernel} on the stream. Each argument is a Java value passed by value (Integer,
     * Long, Float, Double, a device pointer, or an int[] or long[] holding a struct); the launch's own error is
     * checked here, a fault inside the kernel at the next sync (or right away with kora.cuda.sync).
     */
    void launch(String kernel, int[] grid, int[] block, int sharedBytes, Object... args) {
        makeCurrent();
        launches.merge(kernel, 1L, Long::sum);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case Double v -> Pointer.to(new double[] {v});
                case int[] struct -> Pointer.to(struct);
                case long[] struct -> Pointer.to(struct);
                case Pointer p -> Pointer.to(p);
                default -> throw new IllegalArgumentException("cuda: cannot pass " + args[i].getClass().getSimpleName() + " to kernel " + kernel);
            };
        }
        try {
            cuLaunchKernel(function(kernel), grid[0], grid[1], grid[2], block[0], block[1], block[2],
                    sharedBytes, stream, Pointer.to(params), null);
            if (syncEachLaunch) {
                cuStreamSynchronize(stream);
            }
        } catch (CudaException e) {
            throw new CudaException("cuda: kernel " + kernel + " (grid " + grid[0] + "×" + grid[1] + "×" + grid[2]
                    + ", block " + block[0] + ", " + sharedBytes + " B shared): " + e.getMessage(), e);
        }
    }
}
