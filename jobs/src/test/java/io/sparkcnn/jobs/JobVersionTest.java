package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --version names the command it is asked of (predict said "sparkcnn train" once) and the built version. */
class JobVersionTest {
    /** What the build wrote: the project's version, never the "dev" fallback. */
    static final String VERSION = "\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?";

    static String version(CommandLine cl) {
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--version"));
        return out.toString().trim();
    }

    @Test
    void everyJobsVersionLineNamesThatJob() {
        List<CommandLine> jobs = List.of(TrainJob.commandLine(new TrainJob()), EvaluateJob.commandLine(new EvaluateJob()),
                PredictJob.commandLine(new PredictJob()), RetrainJob.commandLine(new RetrainJob()),
                RegistryJob.commandLine(new RegistryJob()));
        for (CommandLine cl : jobs) {
            String line = version(cl);
            assertTrue(line.matches("sparkcnn " + cl.getCommandName() + " " + VERSION), line);
        }
    }

    @Test
    void theVersionComesFromTheBuild() {
        assertTrue(JobVersion.version().matches(VERSION), JobVersion.version());
    }
}
