package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Times a region of GPU work with two CUDA events on the context's stream: the device's own clock
 * from the first launch after {@link #start} to the last before {@link #stopMillis}, host overhead
 * between launches included as the gaps it leaves on the stream.
 */
public final class CudaTimer {
    private final CudaContext context;
    private final CUevent begin = new CUevent(), end = new CUevent();

    CudaTimer(CudaContext context) {
        this.context = context;
        context.makeCurrent();
        cuEventCreate(begin, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(end, CUevent_flags.CU_EVENT_DEFAULT);
    }

    public void start() {
        context.makeCurrent();
        cuEventRecord(begin, context.stream());
    }

    /** Milliseconds between start and now on the stream (waits for the region to finish). */
    public double stopMillis() {
        context.makeCurrent();
        cuEventRecord(end, context.stream());
        cuEventSynchronize(end);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, begin, end);
        return ms[0];
    }
}
