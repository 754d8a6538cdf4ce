package dev.kora4j.tensor;

/**
 * Puts a stream of input batches on a device. For a GPU the batches go up through page-locked host
 * buffers and device buffers it keeps and reuses, two of each, on a copy stream of their own: batch
 * i is copied while the device still computes on batch i − 1, and no upload waits for the device
 * to finish its queued work. On a heap device a batch is only converted.
 *
 * <p>A tensor returned by {@link #upload} may be read by work asked for until the second upload
 * after it, which reuses its buffer; reading it later is refused.
 */
public interface Uploader extends AutoCloseable {
    /** {@code host} (a tensor on the heap) on this uploader's device. */
    Tensor upload(Tensor host);

    /** Gives the buffers back; tensors it returned must not be used after. */
    @Override
    void close();

    /** An uploader to {@code device}. */
    static Uploader to(Device device) {
        if (device.onHeap()) {
            return new Uploader() {
                @Override
                public Tensor upload(Tensor host) {
                    return host.to(device);
                }

                @Override
                public void close() {}
            };
        }
        return DeviceStorageFactory.of(device).uploader();
    }
}
