package dev.kora4j.cli;

import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsException;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.io.TensorInfo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `kora inspect FILE`: what a safetensors file holds, one tensor per line
 * ({@code name<TAB>dtype<TAB>[d0,d1,...]<TAB>bytes}, in data order), then one {@code # key=value}
 * line per metadata entry. The file is validated in full before anything is printed.
 */
@Command(name = "inspect", description = "Lists the tensors (name, dtype, shape, bytes) and metadata of a safetensors file.")
public final class InspectCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "FILE", description = "The safetensors file.")
    Path file;

    @Override
    public void run() {
        StringBuilder out = new StringBuilder();
        try (SafetensorsFile st = Safetensors.open(file)) {
            for (TensorInfo t : st.infos()) {
                out.append(printable(t.name())).append('\t').append(t.dtype()).append('\t').append(t.shapeString())
                        .append('\t').append(t.byteSize()).append('\n');
            }
            for (Map.Entry<String, String> entry : st.metadata().entrySet()) {
                out.append("# ").append(printable(entry.getKey())).append('=').append(printable(entry.getValue())).append('\n');
            }
        } catch (SafetensorsException e) {
            throw new UserError(e.getMessage(), e);
        }
        PrintStream stdout = System.out;
        stdout.print(out);
        stdout.flush();
    }

    /**
     * Names and metadata may hold any character; control characters are shown escaped so that
     * each entry stays on one line and the tab-separated columns stay parseable.
     */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
