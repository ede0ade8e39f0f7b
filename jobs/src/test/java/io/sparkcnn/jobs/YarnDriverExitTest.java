package io.sparkcnn.jobs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job whose driver runs in a YARN ApplicationMaster (cluster mode; the ApplicationMaster sets spark.yarn.app.id
 * before it calls main): its failure line names the application and the command that fetches its logs, and main
 * ends without System.exit (which the ApplicationMaster reports as a failure even for 0): a success returns, a
 * failure throws with the line, which YARN keeps as the application's diagnostics. YarnClusterIT runs it for real.
 */
class YarnDriverExitTest {
    private static final String APP = "application_1796240885595_0007";

    @AfterEach
    void clear() {
        System.clearProperty("spark.yarn.app.id");
    }

    @Test
    void aFailureInAYarnDriverNamesTheApplicationAndThrowsInsteadOfExiting() {
        System.setProperty("spark.yarn.app.id", APP);
        StringWriter err = new StringWriter();
        var cl = TrainJob.commandLine(new TrainJob());
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("--set", "model.optimizer=bogus"); // refused before a SparkContext exists
        assertEquals(JobSupport.EXIT_BAD_INPUT, code, err.toString());
        String line = err.toString().trim();
        assertTrue(line.startsWith("train: error: ") && line.contains("model.optimizer") && line.endsWith(
                " [YARN application " + APP + "; its logs: yarn logs -applicationId " + APP + "]"), line);

        JobSupport.JobExitException thrown = assertThrows(JobSupport.JobExitException.class, () -> JobSupport.exit(code));
        assertEquals(line + " (exit code 2)", thrown.getMessage());
        assertDoesNotThrow(() -> JobSupport.exit(0), "a success returns from main");
    }

    @Test
    void outsideYarnTheLineIsAsBefore() {
        StringWriter err = new StringWriter();
        var cl = TrainJob.commandLine(new TrainJob());
        cl.setErr(new PrintWriter(err, true));
        cl.execute("--set", "model.optimizer=bogus");
        assertTrue(err.toString().startsWith("train: error: ") && !err.toString().contains("YARN"), err.toString());
    }
}
