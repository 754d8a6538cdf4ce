/**
 * kora4j's engine: tensors, autograd, the backends (reference, cpu on the Vector API, cuda through
 * JCuda), ops, ViT layers, LoRA and KoRA adapters, optimizers and safetensors.
 */
module dev.kora4j.core {
    requires jdk.incubator.vector;
    requires java.management; // the cpu backend asks the JIT whether vector intrinsics are on
    requires com.fasterxml.jackson.databind;
    // Read only where a cuda tensor is made: an image without JCuda computes on the cpu.
    requires static jcuda;
    requires static jcublas;

    exports dev.kora4j.tensor;
    exports dev.kora4j.autograd;
    exports dev.kora4j.backend;
    exports dev.kora4j.backend.fused;
    exports dev.kora4j.backend.reference;
    exports dev.kora4j.backend.cpu;
    exports dev.kora4j.backend.cuda;
    exports dev.kora4j.ops;
    exports dev.kora4j.nn;
    exports dev.kora4j.peft;
    exports dev.kora4j.optim;
    exports dev.kora4j.io;

    uses dev.kora4j.tensor.DeviceStorageFactory;
    provides dev.kora4j.tensor.DeviceStorageFactory with dev.kora4j.backend.cuda.CudaStorageFactory;
}
