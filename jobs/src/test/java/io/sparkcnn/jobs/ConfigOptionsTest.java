package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --config and --set are one declaration (the ConfigOptions mixin), parsed alike by every job that reads a config. */
class ConfigOptionsTest {
    /** Each job that reads a config, with its mixin after parsing. */
    static Map<String, CommandLine> jobs() {
        return Map.of("train", TrainJob.commandLine(new TrainJob()), "evaluate", EvaluateJob.commandLine(new EvaluateJob()),
                "retrain", RetrainJob.commandLine(new RetrainJob()));
    }

    static ConfigOptions mixin(CommandLine cl) {
        Object options = cl.getCommandSpec().mixins().values().stream().map(m -> m.userObject())
                .filter(o -> o instanceof ConfigOptions).findFirst().orElseThrow(() -> new AssertionError(
                        cl.getCommandName() + " does not mix in ConfigOptions"));
        return (ConfigOptions) options;
    }

    /** The options a job requires besides the config ones. */
    static final Map<String, List<String>> REQUIRED = Map.of("evaluate", List.of("--model", "/m", "--output", "/o"));

    static void parse(String job, CommandLine cl, String... args) {
        List<String> all = new java.util.ArrayList<>(REQUIRED.getOrDefault(job, List.of()));
        all.addAll(List.of(args));
        cl.parseArgs(all.toArray(String[]::new));
    }

    @Test
    void everyJobParsesConfigAndSetTheSameWay() {
        jobs().forEach((name, cl) -> {
            parse(name, cl, "-c", "job.conf", "--set", "data.seed=7", "--set=data.path=hdfs:///x=y", "--set", "data.height=16");
            ConfigOptions o = mixin(cl);
            assertEquals(new File("job.conf"), o.file(), name);
            assertEquals(List.of("data.seed=7", "data.path=hdfs:///x=y", "data.height=16"), o.overrides(), name);
            assertTrue(o.given(), name);
        });
        jobs().forEach((name, cl) -> {
            parse(name, cl, "--config", "other.conf");
            assertEquals(new File("other.conf"), mixin(cl).file(), name);
            assertTrue(mixin(cl).overrides().isEmpty(), name);
        });
        jobs().forEach((name, cl) -> {
            parse(name, cl);
            assertNull(mixin(cl).file(), name);
            assertFalse(mixin(cl).given(), name);
        });
    }

    @Test
    void eachJobKeepsItsOwnHelpForTheSharedOptions() {
        assertHelpSays(TrainJob.commandLine(new TrainJob()), "Job config (HOCON). Keys below.",
                "Override one config key, e.g. --set training.max-epochs=5 (repeatable; applied after --config).");
        assertHelpSays(EvaluateJob.commandLine(new EvaluateJob()),
                "Job config whose data.* keys name the dataset (as the train job reads it).",
                "A data.* key, e.g. --set data.format=image-folder --set data.path=hdfs:///data/val (repeatable). "
                        + "Without --config and --set, the run folder's own test split is used.");
        assertHelpSays(RetrainJob.commandLine(new RetrainJob()), "Job config (HOCON). Keys below.",
                "Override one config key, e.g. --set data.path=hdfs:///images/dt=* (repeatable).");
    }

    /** The usage lists both options with these descriptions (compared without line breaks: picocli wraps them). */
    static void assertHelpSays(CommandLine cl, String config, String set) {
        String help = help(cl).replaceAll("\\s+", "");
        assertTrue(help.contains(("-c, --config=FILE " + config).replaceAll("\\s+", "")), cl.getCommandName() + ": " + help);
        assertTrue(help.contains(("--set=KEY=VALUE " + set).replaceAll("\\s+", "")), cl.getCommandName() + ": " + help);
    }

    @Test
    void predictAndRegistryTakeNoConfig() {
        for (CommandLine cl : List.of(PredictJob.commandLine(new PredictJob()), RegistryJob.commandLine(new RegistryJob()))) {
            assertFalse(help(cl).contains("--config") || help(cl).contains("--set"), cl.getCommandName());
        }
    }

    @Test
    void wrapBreaksAtWordsWithinTheWidth() {
        assertEquals(List.of("one two", "three"), ConfigOptions.wrap("one  two three", 8));
        assertEquals(List.of(), ConfigOptions.wrap("  ", 8));
    }

    static String help(CommandLine cl) {
        StringWriter out = new StringWriter();
        cl.usage(new PrintWriter(out, true));
        return out.toString();
    }
}
