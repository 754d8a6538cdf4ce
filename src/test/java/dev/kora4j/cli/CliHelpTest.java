package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command and subcommand answers --help and -h with its usage and status 0, whatever it requires. */
class CliHelpTest {
    /** Every command path of the CLI, from the tree picocli builds (so a new command is covered without listing it). */
    static Stream<List<String>> commands() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new Main()), new ArrayList<>(), paths);
        return paths.stream();
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) { // the map holds aliases too
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, out);
            }
        });
    }

    @ParameterizedTest(name = "kora {0} --help / -h")
    @MethodSource("commands")
    void answersHelp(List<String> path) {
        for (String flag : new String[] {"--help", "-h"}) {
            List<String> args = new ArrayList<>(path);
            args.add(flag);
            CliTest.Run r = CliTest.run(args.toArray(String[]::new));
            String usage = "Usage: " + String.join(" ", Stream.concat(Stream.of("kora"), path.stream()).toList());
            assertEquals(0, r.status(), "kora " + String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains(usage), "kora " + String.join(" ", args) + " should print '" + usage + "', got:\n" + r.out());
            assertEquals("", r.err(), "kora " + String.join(" ", args) + " wrote to stderr");
        }
    }
}
