package dev.kora4j.backend.cuda;

import jcuda.driver.CUdeviceptr;

/** A device pointer whose numeric address can be read: kernels that take tables of tensors (AdamW) need it. */
final class DeviceAddress extends CUdeviceptr {
    /** The address this pointer holds, its byte offset included. */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
