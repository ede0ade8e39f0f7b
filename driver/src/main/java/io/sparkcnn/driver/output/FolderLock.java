package io.sparkcnn.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.common.JsonFormat;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lock on a folder we write (a registry, or a job's output): a file created exclusively (atomic on HDFS: the NameNode refuses a second create)
 * naming its holder. The holder renews it (sets its modification time) every quarter of
 * {@code staleAfter}, at most every minute; a lock not renewed for {@code staleAfter} belongs to a run
 * that died, and the next run takes it over by renaming it aside (only one contender's rename succeeds)
 * and logs that. Before it changes the champion or history, a holder checks that the lock is still its own.
 *
 * <p>The same lock guards a run's output path ({@link #acquireOutput}: {@code .<name>.lock} beside it), so that two
 * jobs writing one output cannot discard or resume each other's unfinished folder. There a holder on this host whose
 * process is gone (or a holder in this JVM that is no longer live) is taken to be dead at once, so the same command
 * run after a killed one resumes without waiting for the lock to go stale.
 */
public final class FolderLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FolderLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Owners of the locks held by this JVM right now. */
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    private final FileSystem fs;
    private final Path lockPath;
    private final String what;
    private final String owner;
    private final Holder tookOverFrom;
    private final ScheduledExecutorService heartbeat;

    /** Who holds a lock, as written in it, and when they last renewed it. */
    public record Holder(String owner, String host, String user, long pid, String started, Instant renewed,
                         String yarnContainer) {
        public String describe() {
            return String.format(Locale.ROOT, "%s (host %s, user %s, pid %d%s, started %s, last renewed %s)", owner, host,
                    user, pid, yarnContainer == null ? "" : ", YARN container " + yarnContainer, started, renewed);
        }
    }

    private FolderLock(FileSystem fs, Path lockPath, String what, String owner, Holder tookOverFrom,
                         Duration staleAfter) {
        this.fs = fs;
        this.lockPath = lockPath;
        this.what = what;
        LIVE.add(owner);
        this.owner = owner;
        this.tookOverFrom = tookOverFrom;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(250, Math.min(60_000, staleAfter.toMillis() / 4));
        heartbeat.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock {@code .<name>.lock} beside the output {@code target} for {@code owner} (a job), taking over a
     * stale or dead holder's.
     *
     * @throws FolderLockedException when a live job holds it (the jobs exit with 75)
     */
    public static FolderLock acquireOutput(FileSystem fs, Path target, String owner, Duration staleAfter)
            throws IOException {
        Path lock = outputLock(target);
        return acquire(fs, null, lock, "the lock of " + target, owner,
                staleAfter, true, (holder, age) -> "output " + target + " is being written by " + holder.describe()
                        + ", renewed " + age.toSeconds() + " s ago: two jobs may not write one output at once. Try again"
                        + " when it has finished; a lock not renewed for " + staleAfter.toSeconds() + " s (" + lock
                        + ") is taken over");
    }

    /** The lock file of the output {@code target}: {@code .<name>.lock} beside it. */
    public static Path outputLock(Path target) {
        return new Path(target.getParent(), "." + target.getName() + ".lock");
    }

    /**
     * Takes the lock file {@code lock} (described as {@code what} in log lines) for {@code owner}, taking over a stale
     * holder's, or a dead one's when {@code deadPidIsStale}; {@code lockedMessage} words the refusal.
     *
     * @throws FolderLockedException when a live holder has it
     */
    public static FolderLock acquire(FileSystem fs, FileContext fc, Path lock, String what, String owner,
                                     Duration staleAfter, boolean deadPidIsStale,
                                     java.util.function.BiFunction<Holder, Duration, String> lockedMessage)
            throws IOException {
        Holder tookOver = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            if (tryCreate(fs, lock, owner, staleAfter)) {
                if (tookOver != null) {
                    LOG.warn("Took over {} of {}: not renewed for more than {} s{}, so that run is taken to have died",
                            what, tookOver.describe(), staleAfter.toSeconds(),
                            deadPidIsStale ? ", or its process on this host is gone" : " (registry.lock-stale-after)");
                }
                LOG.info("Holding {} ({}) as {}", what, lock, owner);
                return new FolderLock(fs, lock, what, owner, tookOver, staleAfter);
            }
            Optional<Holder> holder = read(fs, lock);
            if (holder.isEmpty()) {
                continue; // released between our create and our read
            }
            Duration age = Duration.between(holder.get().renewed(), Instant.now());
            boolean earlierAttempt = earlierAttemptOfOurApplication(holder.get().yarnContainer(), currentYarnContainer());
            if (earlierAttempt) {
                LOG.warn("{} is held by {}: an earlier attempt of this YARN application, which YARN ended before it"
                        + " started this one; taking it over", what, holder.get().describe());
            }
            if (age.compareTo(staleAfter) < 0 && !(deadPidIsStale && dead(holder.get())) && !earlierAttempt) {
                throw new FolderLockedException(lockedMessage.apply(holder.get(), age));
            }
            Path aside = new Path(lock.getParent(), "." + lock.getName() + ".stale-" + owner);
            try {
                rename(fs, fc, lock, aside);
            } catch (FileNotFoundException e) {
                continue; // another contender took it over first; try again against the new holder
            }
            fs.delete(aside, false);
            tookOver = holder.get();
        }
        throw new IOException("could not take the registry lock " + lock + " after 5 attempts (contended)");
    }

    private static boolean tryCreate(FileSystem fs, Path lock, String owner, Duration staleAfter) throws IOException {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("owner", owner);
        content.put("host", hostName());
        content.put("user", UserGroupInformation.getCurrentUser().getShortUserName());
        content.put("pid", ProcessHandle.current().pid());
        content.put("started", Instant.now().toString());
        content.put("stale_after_seconds", staleAfter.toSeconds());
        content.put("yarn_container", currentYarnContainer());
        try (OutputStream out = fs.create(lock, false)) {
            out.write(JSON.writeValueAsBytes(JsonFormat.stamped(content)));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(lock) && read(fs, lock).map(h -> !h.owner().equals(owner)).orElse(false)) {
                return false; // some FileSystems report an existing file with a plain IOException
            }
            throw e;
        }
    }

    /**
     * Renames the lock aside, failing when it is gone: through {@code fc}, else a FileContext of the scheme (rename
     * NONE fails when the target exists), else, for a scheme without one, the FileSystem's rename.
     */
    private static void rename(FileSystem fs, FileContext fc, Path lock, Path aside) throws IOException {
        FileContext context = fc;
        if (context == null) {
            try {
                context = FileContext.getFileContext(fs.getUri(), fs.getConf());
            } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
                if (!fs.rename(lock, aside)) {
                    throw new FileNotFoundException(lock + " is gone");
                }
                return;
            }
        }
        context.rename(lock, aside, Options.Rename.NONE);
    }

    /** The YARN container this JVM runs in (the NodeManager sets CONTAINER_ID in each one), or null. */
    static String currentYarnContainer() {
        return System.getenv("CONTAINER_ID");
    }

    /**
     * Whether {@code holder} is the container of an earlier attempt of the YARN application that {@code ours} belongs
     * to. YARN starts attempt n + 1 of an application only once attempt n's ApplicationMaster container has ended,
     * so such a holder is dead wherever it ran: the second attempt of a driver that YARN lost (node gone, JVM killed)
     * takes over its locks at once, instead of waiting for them to go stale, or failing, on another host.
     */
    static boolean earlierAttemptOfOurApplication(String holder, String ours) {
        if (holder == null || ours == null) {
            return false;
        }
        try {
            ApplicationAttemptId theirs = ContainerId.fromString(holder).getApplicationAttemptId();
            ApplicationAttemptId mine = ContainerId.fromString(ours).getApplicationAttemptId();
            return theirs.getApplicationId().equals(mine.getApplicationId()) && theirs.getAttemptId() < mine.getAttemptId();
        } catch (IllegalArgumentException e) {
            return false; // not a container id (a hand-edited lock file): the usual rules apply
        }
    }

    /** A holder on this host whose process is gone, or one in this JVM that released nothing but is not live. */
    private static boolean dead(Holder holder) {
        if (holder.pid() <= 0 || !hostName().equals(holder.host())) {
            return false;
        }
        if (holder.pid() == ProcessHandle.current().pid()) {
            return !LIVE.contains(holder.owner());
        }
        return ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    /** The current holder of the lock at {@code lock}, if there is one. */
    static Optional<Holder> read(FileSystem fs, Path lock) throws IOException {
        try {
            FileStatus status = fs.getFileStatus(lock);
            JsonNode j;
            try (InputStream in = fs.open(lock)) {
                j = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            JsonFormat.checked(j, lock.toString());
            if (j == null || j.isMissingNode()) { // being written right now, or its writer died before writing
                return Optional.of(new Holder("(empty lock file)", "?", "?", -1, "?",
                        Instant.ofEpochMilli(status.getModificationTime()), null));
            }
            JsonNode container = j.path("yarn_container");
            return Optional.of(new Holder(j.path("owner").asText(), j.path("host").asText(), j.path("user").asText(),
                    j.path("pid").asLong(), j.path("started").asText(), Instant.ofEpochMilli(status.getModificationTime()),
                    container.isTextual() ? container.asText() : null));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The dead holder whose stale lock this one replaced, if any. */
    public Optional<Holder> tookOverFrom() {
        return Optional.ofNullable(tookOverFrom);
    }

    /** Fails when the lock is no longer this holder's (it went stale and was taken over). */
    public void verifyHeld() throws IOException {
        Optional<Holder> now = read(fs, lockPath);
        if (now.isEmpty() || !now.get().owner().equals(owner)) {
            throw new IOException("lost " + what + " " + lockPath + " (now "
                    + now.map(Holder::describe).orElse("absent") + "): it was not renewed in time and was taken over;"
                    + " this run changes nothing");
        }
    }

    private void renew() {
        try {
            if (read(fs, lockPath).map(h -> h.owner().equals(owner)).orElse(false)) {
                fs.setTimes(lockPath, System.currentTimeMillis(), -1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not renew {} {}: {}", what, lockPath, e.toString());
        }
    }

    /** Stops renewing and removes the lock if it is still this holder's. */
    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(owner);
        if (read(fs, lockPath).map(h -> h.owner().equals(owner)).orElse(false)) {
            fs.delete(lockPath, false);
            LOG.info("Released {} {}", what, lockPath);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
