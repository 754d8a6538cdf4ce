package dev.kora4j.spark;

import dev.kora4j.backend.Backends;
import dev.kora4j.cli.UserError;
import dev.kora4j.tensor.Device;
import dev.kora4j.train.SourceRun;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.apache.spark.SparkConf;

/**
 * The Spark configuration of a sweep: local mode in this process, or a cluster (spark://, k8s://, …)
 * that gets this module's jar and the engine's jars shipped to its executors, which run them with
 * the JVM flags the engine needs. With --device cuda each task asks for one GPU, found on the
 * executors by {@value #GPU_SCRIPT}.
 */
final class SparkSetup {
    /** local[*] with 4 attempts per task, as a cluster gives (local[N] alone never retries). */
    static final String DEFAULT_MASTER = "local[*,4]";
    static final String GPU_SCRIPT = "spark/gpu-discovery.sh";
    static final String EXECUTOR_FLAGS = "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true "
            + "-Dkora.progress=false";

    private SparkSetup() {}

    static boolean isLocal(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    /** On a cluster: one GPU per task and per executor, found on each worker by the repository's script. */
    static void askForGpus(SparkConf conf, Path home) {
        conf.set("spark.task.resource.gpu.amount", "1");
        conf.set("spark.executor.resource.gpu.amount", "1");
        conf.set("spark.executor.resource.gpu.discoveryScript", home.resolve(GPU_SCRIPT).toAbsolutePath().toString());
    }

    /** The task slots of local, local[N] or local[*]. */
    static int localSlots(String master) {
        if (master.equals("local")) {
            return 1;
        }
        String n = master.substring("local[".length(), master.indexOf(']'));
        return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n.split(",")[0]);
    }

    static SparkConf conf(String appName, String master, String device, Integer threads, Map<String, String> extra, Path home) {
        if (!device.equals("cpu") && !device.equals("cuda")) {
            throw new UserError("--device must be cpu or cuda, got '" + device + "'");
        }
        SparkConf conf = new SparkConf().setAppName(appName).setMaster(master);
        String flags = EXECUTOR_FLAGS + (threads == null ? "" : " -Dkora.threads=" + threads);
        String userFlags = extra.get("spark.executor.extraJavaOptions");
        conf.set("spark.executor.extraJavaOptions", userFlags == null ? flags : flags + " " + userFlags);
        if (!isLocal(master)) {
            conf.set("spark.jars", String.join(",", shippedJars(master)));
        }
        if (device.equals("cuda") && isLocal(master)) {
            // Local mode schedules no task that asks for a GPU: its runs share this process's device,
            // one at a time (every slot to one task).
            conf.set("spark.task.cpus", String.valueOf(localSlots(master)));
        } else if (device.equals("cuda")) {
            askForGpus(conf, home);
        }
        extra.forEach((k, v) -> {
            if (!k.equals("spark.executor.extraJavaOptions")) {
                conf.set(k, v); // the user's settings win
            }
        });
        return conf;
    }

    /**
     * In local mode the runs compute in this process: starts its cuda device now, so that one
     * without a GPU is one line before Spark starts (on a cluster each executor finds its own).
     */
    static void requireLocalDevice(String master, String device) {
        if (!device.equals("cuda") || !isLocal(master)) {
            return;
        }
        try {
            Backends.of(Device.CUDA);
        } catch (IllegalStateException e) {
            throw new UserError("--device cuda: " + e.getMessage());
        }
    }

    /**
     * What executors need beyond Spark: this module's jar, the engine's jar and the libraries its
     * manifest names (Spark brings its own Jackson, which wins on the executors' class path).
     */
    static List<String> shippedJars(String master) {
        Path sweep = codeSource(SparkSetup.class), engine = codeSource(SourceRun.class);
        if (!Files.isRegularFile(sweep) || !Files.isRegularFile(engine)) {
            throw new UserError("--master " + master + " ships kora4j's jars to the cluster, but this process runs from class folders ("
                    + sweep + ", " + engine + "); run it through bin/kora sweep, which builds the jars");
        }
        List<String> jars = new ArrayList<>(List.of(sweep.toString(), engine.toString()));
        try (JarFile jar = new JarFile(engine.toFile())) {
            String classPath = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Class-Path");
            if (classPath != null) {
                for (String entry : classPath.trim().split("\\s+")) {
                    Path lib = engine.getParent().resolve(entry);
                    if (Files.isRegularFile(lib) && !lib.getFileName().toString().startsWith("jackson-")) {
                        jars.add(lib.toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UserError(engine + ": cannot read the engine jar's manifest (" + e.getMessage() + ")");
        }
        return jars;
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | NullPointerException e) {
            throw new UserError("cannot tell where " + c.getName() + " was loaded from, so its jar cannot be shipped to the cluster");
        }
    }

    /** The repository root: -Dkora.home (bin/kora and the tests set it), else two folders above this module's jar. */
    static Path home() {
        String configured = System.getProperty("kora.home");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path jar = codeSource(SparkSetup.class);
        Path root = jar.getParent() == null || jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
        return root != null && Files.isRegularFile(root.resolve(GPU_SCRIPT)) ? root : Path.of("").toAbsolutePath();
    }
}
