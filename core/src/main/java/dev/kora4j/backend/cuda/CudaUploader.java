package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.FloatStorage;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import dev.kora4j.tensor.Uploader;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * Input batches to the GPU, double-buffered: two page-locked host buffers and two device buffers,
 * filled in turn, and a copy stream of its own, so that batch i's copy runs beside the compute
 * stream's work on batch i − 1 (a copy from pageable memory could not, and would make the host wait).
 *
 * <p>Per upload into slot s (last used by the upload before the previous one):
 * <ol>
 *   <li>the host waits until the copy out of s's host buffer has finished (it was queued two uploads
 *       ago, so it normally has), then fills it;</li>
 *   <li>the copy stream waits for all compute queued so far, which covers every reader of s's
 *       device buffer, then copies;</li>
 *   <li>the compute stream waits for that copy before its next kernel.</li>
 * </ol>
 * The buffers grow when a larger batch comes and are otherwise reused, so from the second batch on
 * an epoch allocates nothing.
 */
final class CudaUploader implements Uploader {
    private static final int SLOTS = 2;
    private static final String REUSED = "an uploaded batch was used after its buffer took the batch two uploads later";

    private final CudaContext context;
    private final CUstream copies = new CUstream();
    /** Recorded on the compute stream before a slot is overwritten: its readers have all been queued before it. */
    private final CUevent computed = new CUevent();
    private final Slot[] slots = new Slot[SLOTS];
    private int next;
    private boolean closed;

    private static final class Slot {
        Pointer host;              // page-locked, as many floats as device
        FloatBuffer hostFloats;
        CudaStorage device;        // owned; null until the first upload
        CudaStorage lease;         // what the last tensor from this slot reads
        final CUevent copied = new CUevent();
    }

    CudaUploader(CudaContext context) {
        this.context = context;
        context.makeCurrent();
        cuStreamCreate(copies, CUstream_flags.CU_STREAM_NON_BLOCKING);
        cuEventCreate(computed, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
            cuEventCreate(slots[i].copied, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
    }

    @Override
    public Tensor upload(Tensor host) {
        if (closed) {
            throw new IllegalStateException("cuda: the uploader is closed");
        }
        if (!host.device().onHeap()) {
            throw new IllegalArgumentException("cuda: upload takes a tensor on the heap, got one on " + host.device());
        }
        Tensor dense = host.to(DType.F32).contiguous();
        int n = dense.numel();
        context.makeCurrent();
        Slot slot = slots[next];
        next = (next + 1) % SLOTS;
        cuEventSynchronize(slot.copied); // the host buffer may still be read by its last copy (none yet: returns at once)
        if (slot.lease != null) {
            slot.lease.end();
        }
        if (slot.device == null || n > slot.device.size()) {
            grow(slot, n);
        }
        slot.hostFloats.clear();
        if (dense.storage() instanceof FloatStorage(float[] values)) {
            slot.hostFloats.put(values, dense.offset(), n);
        } else {
            slot.hostFloats.put(dense.toFloatArray());
        }
        cuEventRecord(computed, context.stream());
        cuStreamWaitEvent(copies, computed, 0);
        if (n > 0) {
            cuMemcpyHtoDAsync(slot.device.at(0), slot.host, (long) n * Float.BYTES, copies);
        }
        cuEventRecord(slot.copied, copies);
        cuStreamWaitEvent(context.stream(), slot.copied, 0);
        slot.lease = CudaStorage.lease(slot.device, n, REUSED);
        return new Tensor(slot.lease, host.shape(), Shape.contiguousStrides(host.shape()), 0, Device.CUDA);
    }

    /** Replaces a slot's buffers by ones of n floats (its last copy has finished; its device buffer may still be read). */
    private void grow(Slot slot, int n) {
        freeHost(slot);
        long bytes = (long) Math.max(1, n) * Float.BYTES;
        slot.host = new Pointer();
        cuMemAllocHost(slot.host, bytes);
        slot.hostFloats = slot.host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
        if (slot.device != null) {
            slot.device.end(); // safe without a sync: later work on the compute stream cannot overtake its readers
        }
        slot.device = BufferPool.outside(() -> new CudaStorage(context, n, false)); // kept across training steps
    }

    private static void freeHost(Slot slot) {
        if (slot.host != null) {
            cuMemFreeHost(slot.host);
            slot.host = null;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.makeCurrent();
        cuStreamSynchronize(copies);
        for (Slot slot : slots) {
            if (slot.lease != null) {
                slot.lease.end();
            }
            if (slot.device != null) {
                slot.device.end();
            }
            freeHost(slot);
            cuEventDestroy(slot.copied);
        }
        cuEventDestroy(computed);
        cuStreamDestroy(copies);
    }
}
