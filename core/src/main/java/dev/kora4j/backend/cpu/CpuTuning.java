package dev.kora4j.backend.cpu;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The cpu kernels' blocking for this machine: read from the tuning cache, else chosen once by
 * {@link GemmTuner} on first use and written there, one file per machine (CPU model, vector width,
 * thread count and tuner version). The blocking never changes a result's bits, only its speed.
 * <ul>
 *   <li>{@code kora.tune} (system property) or {@code KORA_TUNE} (environment): {@code auto}
 *       (default) or {@code off}: the built-in {@link GemmParams#DEFAULTS}, no cache read or
 *       written (the test suite runs so, so that no test pays for a first tune).</li>
 *   <li>The cache folder: {@code kora.cache.dir} or {@code KORA_CACHE_DIR}, else
 *       {@code $XDG_CACHE_HOME/kora4j}, else {@code ~/.cache/kora4j}; deleting it (or
 *       {@code kora bench tune --reset}) makes the next run tune again.</li>
 * </ul>
 */
public final class CpuTuning {
    /** Bumped when the candidates or the kernels change, so that older choices are measured again. */
    static final int TUNER_VERSION = 4;
    private static final int ROUNDS = 7;
    private static volatile GemmParams gemm;
    private static double peak;
    private static boolean cacheRead;

    private CpuTuning() {}

    /**
     * What the tuner chose for this machine, as the cache keeps it: the blocking, the FMA peak, the
     * geometric-mean GFLOP/s of the defaults and of the choice in the final side-by-side timing, and
     * each candidate as "params | GFLOP/s".
     */
    public record Choice(String machine, GemmParams gemm, double peakGflops, double defaultsGflops, double chosenGflops,
                         List<String> candidates) {}

    private static synchronized GemmParams initialize() {
        if (gemm != null) {
            return gemm;
        }
        if (!enabled()) {
            return gemm = GemmParams.DEFAULTS;
        }
        if (!cacheRead) {
            cacheRead = true;
            Optional<Choice> choice = cached();
            if (choice.isPresent()) {
                return gemm = choice.get().gemm();
            }
        }
        // a product inside a worker task (attention's, per head) cannot time the pool it runs on:
        // it uses the defaults, and the first product called from outside the pool tunes
        return Parallel.inWorker() ? GemmParams.DEFAULTS : (gemm = tuneOnFirstUse());
    }

    private static GemmParams tuneOnFirstUse() {
        System.err.println("kora4j: choosing the cpu GEMM blocking for " + machine() + " (once, about half a minute); "
                + "it is kept in " + cacheFile());
        return tune(score -> {}).gemm();
    }

    /** Whether the tuner runs (kora.tune / KORA_TUNE is not "off"). */
    public static boolean enabled() {
        String mode = setting("kora.tune", "KORA_TUNE", "auto");
        return switch (mode) {
            case "auto" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("kora.tune / KORA_TUNE must be auto or off, got '" + mode + "'");
        };
    }

    /** The blocking in use, tuning first when it has not been chosen yet. */
    public static GemmParams current() {
        GemmParams p = gemm;
        return p != null ? p : initialize();
    }

    /** This machine's FMA peak in GFLOP/s: the cached tune's measurement, else measured now (once per process). */
    public static synchronized double peakGflops() {
        if (peak == 0) {
            peak = enabled() ? cached().map(Choice::peakGflops).orElseGet(FmaPeak::measureGflops) : FmaPeak.measureGflops();
        }
        return peak;
    }

    /** Forgets the blocking in use, as a fresh process would (tests). */
    static synchronized void forget() {
        gemm = null;
        cacheRead = false;
    }

    /** Uses this blocking for the rest of the process (benchmarks of one candidate). */
    public static synchronized void use(GemmParams params) {
        gemm = params;
    }

    /** Measures the candidates and this machine's FMA peak, writes the cache, and uses the choice. */
    public static Choice tune(Consumer<GemmTuner.Score> progress) {
        return tune(ROUNDS, progress);
    }

    static synchronized Choice tune(int rounds, Consumer<GemmTuner.Score> progress) {
        return tune(new GemmTuner(rounds), progress);
    }

    static synchronized Choice tune(GemmTuner tuner, Consumer<GemmTuner.Score> progress) {
        GemmTuner.Result result = tuner.tune(progress);
        List<String> candidates = result.candidates().stream()
                .map(s -> String.format(Locale.ROOT, "%s | %.1f", s.params(), s.geomean())).toList();
        Choice choice = new Choice(machine(), result.chosen(), FmaPeak.measureGflops(), result.confirmedDefaults().geomean(),
                result.confirmedChosen().geomean(), candidates);
        try {
            save(choice);
        } catch (IOException e) {
            System.err.println("kora4j: could not keep the cpu tuning in " + cacheFile() + " (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + "); it is used for this run only");
        }
        gemm = choice.gemm();
        return choice;
    }

    /** The cached choice for this machine, if there is a readable one. */
    public static Optional<Choice> cached() {
        Path file = cacheFile();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            GemmParams params = new GemmParams(Integer.parseInt(p.getProperty("gemm.kc")),
                    Integer.parseInt(p.getProperty("gemm.one_block_up_to")),
                    Integer.parseInt(p.getProperty("gemm.one_block_transposed_up_to")), Integer.parseInt(p.getProperty("gemm.mc")),
                    Integer.parseInt(p.getProperty("gemm.panel_vectors")));
            List<String> candidates = p.stringPropertyNames().stream().filter(k -> k.startsWith("candidate."))
                    .sorted((a, b) -> Integer.compare(index(a), index(b))).map(p::getProperty).toList();
            return Optional.of(new Choice(p.getProperty("machine"), params, Double.parseDouble(p.getProperty("peak_gflops")),
                    Double.parseDouble(p.getProperty("defaults_gflops")), Double.parseDouble(p.getProperty("chosen_gflops")),
                    candidates));
        } catch (IOException | RuntimeException e) {
            System.err.println("kora4j: ignoring the unreadable cpu tuning cache " + file + " (" + e + "); tuning again");
            return Optional.empty();
        }
    }

    private static int index(String key) {
        return Integer.parseInt(key.substring(key.indexOf('.') + 1));
    }

    private static void save(Choice choice) throws IOException {
        Path file = cacheFile();
        Files.createDirectories(file.getParent());
        Properties p = new Properties();
        p.setProperty("machine", choice.machine());
        p.setProperty("gemm.kc", Integer.toString(choice.gemm().kc()));
        p.setProperty("gemm.one_block_up_to", Integer.toString(choice.gemm().oneBlockUpTo()));
        p.setProperty("gemm.one_block_transposed_up_to", Integer.toString(choice.gemm().oneBlockTransposedUpTo()));
        p.setProperty("gemm.mc", Integer.toString(choice.gemm().mc()));
        p.setProperty("gemm.panel_vectors", Integer.toString(choice.gemm().panelVectors()));
        p.setProperty("peak_gflops", Double.toString(choice.peakGflops()));
        p.setProperty("defaults_gflops", Double.toString(choice.defaultsGflops()));
        p.setProperty("chosen_gflops", Double.toString(choice.chosenGflops()));
        for (int i = 0; i < choice.candidates().size(); i++) {
            p.setProperty("candidate." + i, choice.candidates().get(i));
        }
        // whole or not at all (io's AtomicWrite sits in a layer above): another JVM may be reading it,
        // or tuning beside this one
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(out, "kora4j cpu tuning (kora bench tune prints it; delete this file to tune again)");
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Deletes this machine's cached choice; true when there was one. The process keeps its blocking. */
    public static boolean reset() {
        try {
            return Files.deleteIfExists(cacheFile());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the cpu tuning cache " + cacheFile(), e);
        }
    }

    /** The folder of the tuning cache (see the class comment). */
    public static Path cacheFolder() {
        String configured = setting("kora.cache.dir", "KORA_CACHE_DIR", "");
        if (!configured.isEmpty()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("kora4j");
    }

    /** This machine's file in the cache folder, named by a hash of {@link #machine()}. */
    public static Path cacheFile() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(machine().getBytes(StandardCharsets.UTF_8));
            return cacheFolder().resolve("cpu-" + HexFormat.of().formatHex(hash, 0, 8) + ".properties");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a choice is valid for, e.g. "AMD EPYC, 512-bit vectors, 2 threads, tuner 2". */
    public static String machine() {
        String vectors = Simd.ENABLED ? Simd.F32.vectorBitSize() + "-bit vectors" : "scalar kernels";
        return cpuModel() + ", " + vectors + ", " + Parallel.threads() + " threads, tuner " + TUNER_VERSION;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture and core count name it less well, but still apart
        }
        return System.getProperty("os.arch") + " with " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    private static String setting(String property, String environment, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(environment);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
