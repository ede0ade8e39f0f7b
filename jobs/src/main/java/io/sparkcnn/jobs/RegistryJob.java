package io.sparkcnn.jobs;

import io.sparkcnn.driver.registry.Champion;
import io.sparkcnn.driver.registry.RegistryAdmin;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The model registry by hand: list the runs, show the champion, promote a run or roll back. Needs no
 * SparkContext; run it with spark-submit (or scripts/submit.sh registry) for the cluster's Hadoop settings.
 */
@Command(name = "registry", mixinStandardHelpOptions = true, versionProvider = JobVersion.class,
        description = "Lists a model registry's runs, shows its champion, promotes or rolls back by hand.",
        subcommands = {RegistryJob.ListRuns.class, RegistryJob.Show.class, RegistryJob.Promote.class,
                RegistryJob.Rollback.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "2:bad input: no registry there, unknown run, missing --reason",
                "75:the registry is locked by a running retrain (try again later)", "1:any other failure"})
public final class RegistryJob implements Callable<Integer> {
    @Option(names = {"-r", "--registry"}, paramLabel = "URI", required = true, scope = CommandLine.ScopeType.INHERIT,
            description = "Registry root URI (registry.path of the retrain job).")
    String registry;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        JobSupport.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine(new RegistryJob()).execute(args);
    }

    static CommandLine commandLine(RegistryJob job) {
        return JobSupport.commandLine(job);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return JobSupport.EXIT_BAD_INPUT;
    }

    /** The Hadoop settings spark-submit would give a SparkContext (HADOOP_CONF_DIR, spark.hadoop.*); this job has none. */
    static Configuration hadoopConf() {
        return HadoopConf.fromSparkSubmit();
    }

    static String currentUser() {
        try {
            return UserGroupInformation.getCurrentUser().getShortUserName();
        } catch (java.io.IOException e) {
            return System.getProperty("user.name", "unknown");
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Command(name = "list", description = "Every run, promotion and rollback in the history, oldest first.")
    static final class ListRuns implements Callable<Integer> {
        @ParentCommand
        RegistryJob parent;

        @Override
        public Integer call() throws Exception {
            parent.out().print(RegistryAdmin.list(parent.registry, hadoopConf()));
            parent.out().flush();
            return 0;
        }
    }

    @Command(name = "show", description = "The champion, its holdout scores and the holdout, as JSON.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        RegistryJob parent;

        @Override
        public Integer call() throws Exception {
            parent.out().println(RegistryAdmin.show(parent.registry, hadoopConf()));
            parent.out().flush();
            return 0;
        }
    }

    /** Options shared by promote and rollback. */
    abstract static class Change implements Callable<Integer> {
        @ParentCommand
        RegistryJob parent;

        @Option(names = "--reason", required = true, description = "Why; recorded in the history.")
        String reason;

        @Option(names = "--by", description = "Who; recorded in the history (default: the current Hadoop user).")
        String by;

        @Option(names = "--lock-stale-after", defaultValue = "PT10M",
                description = "ISO-8601 duration after which an unrenewed lock is taken over (default ${DEFAULT-VALUE}).")
        Duration staleAfter;

        Integer change(String run, boolean rollback) throws Exception {
            Champion c = RegistryAdmin.promote(parent.registry, hadoopConf(), run, rollback, by == null ? currentUser() : by,
                    reason, staleAfter);
            parent.out().println((rollback ? "ROLLED BACK" : "PROMOTED") + " " + c.run() + " (" + c.model() + ")");
            parent.out().flush();
            return 0;
        }
    }

    @Command(name = "promote", description = "Make a finished run the champion.")
    static final class Promote extends Change {
        @Parameters(paramLabel = "RUN", description = "Run id (see list).")
        String run;

        @Override
        public Integer call() throws Exception {
            return change(run, false);
        }
    }

    @Command(name = "rollback", description = "Make the previous champion (or RUN) the champion again.")
    static final class Rollback extends Change {
        @Parameters(paramLabel = "RUN", arity = "0..1", description = "Run id; default: the champion before the current one.")
        String run;

        @Override
        public Integer call() throws Exception {
            return change(run, true);
        }
    }
}
