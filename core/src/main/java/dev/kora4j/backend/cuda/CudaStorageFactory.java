package dev.kora4j.backend.cuda;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.DeviceStorageFactory;
import dev.kora4j.tensor.Storage;
import dev.kora4j.tensor.Uploader;

/** Storages for {@link Device#CUDA} tensors (found by the tensor layer through ServiceLoader). */
public final class CudaStorageFactory implements DeviceStorageFactory {
    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public Storage allocate(DType dtype, int size, boolean zero) {
        if (dtype != DType.F32) {
            throw new UnsupportedOperationException("cuda tensors are F32 only (asked for " + dtype + ")");
        }
        JCudaCheck.requirePresent();
        return new CudaStorage(CudaContext.get(), size, zero);
    }

    @Override
    public Uploader uploader() {
        JCudaCheck.requirePresent();
        return new CudaUploader(CudaContext.get());
    }
}
