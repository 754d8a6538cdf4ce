package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host with no font to draw text with (a GPU server or a slim container without fontconfig, where
 * the gpu check's training runs first failed) still gets its results and report, without plots and
 * with a warning that says what to install. The test takes fontconfig's fonts away from a child JVM
 * with an empty fontconfig file, and the JDK's cache of them with an empty home folder.
 */
class ReportsWithoutFontsTest {
    @TempDir
    Path dir;

    /** Writes {@link SampleRuns#seedLike()}'s report into args[0]; prints "no text: REASON" or "text" first. */
    public static void main(String[] args) throws Exception {
        System.out.println(Plots.whyNoText().map(why -> "no text: " + why).orElse("text"));
        Reports.writeAll(SampleRuns.seedLike(), Path.of(args[0]));
    }

    @Test
    void aJavaWithoutFontsWritesTheReportWithoutPlotsAndSaysWhy() throws Exception {
        Path fontconfig = Files.writeString(dir.resolve("fonts.conf"), "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path out = dir.resolve("out");
        Path log = dir.resolve("child.log");
        ProcessBuilder child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Djava.awt.headless=true",
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), getClass().getName(), out.toString());
        child.environment().put("FONTCONFIG_FILE", fontconfig.toString());
        Process p = child.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child ended");
        String printed = Files.readString(log);
        assertEquals(0, p.exitValue(), printed);
        assumeFalse(printed.startsWith("text"), "this JDK draws text without fontconfig's fonts, so nothing here is taken away");

        assertEquals(List.of("metrics.csv", "predictions.csv", "report.md", "results.json"), ReportsTest.names(out));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("- The plots were not drawn: this Java found no font") && md.contains("fonts-dejavu-core"), md);
        assertTrue(!md.contains("## Plots") && !md.contains(".png"), "report.md names no plot");
        assertTrue(printed.contains("warning: The plots were not drawn: this Java found no font"), printed);
        assertEquals(SampleRuns.seedLike(), ResultsJson.read(out.resolve("results.json")), "results.json is the experiment's, whole");
    }
}
