package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.Tolerance;
import dev.kora4j.autograd.GradMode;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdapterFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {PeftModelTest.LORA, PeftModelTest.KORA, PeftModelTest.SEED})
    void savedAdaptersLoadBackToTheSameModel(String json) throws Exception {
        PeftModel saved = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(json), new Rng(4));
        TinyModels.randomizeAdapters(saved, 12);
        AdapterFiles.save(saved, dir);
        assertTrue(Files.exists(dir.resolve("adapter_config.json")));
        try (SafetensorsFile f = Safetensors.open(dir.resolve("adapter_model.safetensors"))) {
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(new java.util.TreeSet<>(saved.adapterTensors().keySet()), new java.util.TreeSet<>(f.names()));
        }
        PeftModel loaded = AdapterFiles.load(TinyModels.vit(DType.F32, Device.CPU), dir);
        Tensor images = TinyModels.images(2, DType.F32, Device.CPU);
        try (var scope = GradMode.noGrad()) {
            assertClose("logits", saved.forward(images), loaded.forward(images), Tolerance.EXACT);
        }
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files are left behind");
        }
    }
}
