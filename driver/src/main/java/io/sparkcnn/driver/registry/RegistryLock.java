package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The registry's lock: a file created exclusively (atomic on HDFS: the NameNode refuses a second create)
 * naming its holder. The holder renews it (sets its modification time) every quarter of
 * {@code staleAfter}, at most every minute; a lock not renewed for {@code staleAfter} belongs to a run
 * that died, and the next run takes it over by renaming it aside (only one contender's rename succeeds)
 * and logs that. Before it changes the champion or history, a holder checks that the lock is still its own.
 */
public final class RegistryLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryLock.class);

    private final Registry registry;
    private final String owner;
    private final Holder tookOverFrom;
    private final ScheduledExecutorService heartbeat;

    /** Who holds a lock, as written in it, and when they last renewed it. */
    public record Holder(String owner, String host, String user, long pid, String started, Instant renewed) {
        String describe() {
            return String.format(Locale.ROOT, "%s (host %s, user %s, pid %d, started %s, last renewed %s)", owner, host,
                    user, pid, started, renewed);
        }
    }

    private RegistryLock(Registry registry, String owner, Holder tookOverFrom, Duration staleAfter) {
        this.registry = registry;
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
     * Takes the lock for {@code owner} (a run id, or the registry command), taking over a stale one.
     *
     * @throws RegistryLockedException when a live holder has it
     */
    public static RegistryLock acquire(Registry registry, String owner, Duration staleAfter) throws IOException {
        FileSystem fs = registry.fileSystem();
        Path lock = registry.lockPath();
        Holder tookOver = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            if (tryCreate(fs, lock, owner, staleAfter)) {
                if (tookOver != null) {
                    LOG.warn("Took over the registry lock of {}: not renewed for more than registry.lock-stale-after ({} s),"
                            + " so that run is taken to have died", tookOver.describe(), staleAfter.toSeconds());
                }
                LOG.info("Holding the registry lock {} as {}", lock, owner);
                return new RegistryLock(registry, owner, tookOver, staleAfter);
            }
            Optional<Holder> holder = read(fs, lock);
            if (holder.isEmpty()) {
                continue; // released between our create and our read
            }
            Duration age = Duration.between(holder.get().renewed(), Instant.now());
            if (age.compareTo(staleAfter) < 0) {
                throw new RegistryLockedException("registry " + registry.root() + " is locked by " + holder.get().describe()
                        + ", " + age.toSeconds() + " s ago: another retrain or registry command is running. Try again"
                        + " later; a lock not renewed for " + staleAfter.toSeconds() + " s (registry.lock-stale-after) is taken over");
            }
            Path aside = new Path(lock.getParent(), "." + Registry.LOCK + ".stale-" + owner);
            try {
                registry.fileContext().rename(lock, aside, Options.Rename.NONE);
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
        try (OutputStream out = fs.create(lock, false)) {
            out.write(Registry.JSON.writeValueAsBytes(content));
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

    /** The current holder of the lock at {@code lock}, if there is one. */
    static Optional<Holder> read(FileSystem fs, Path lock) throws IOException {
        try {
            FileStatus status = fs.getFileStatus(lock);
            JsonNode j;
            try (InputStream in = fs.open(lock)) {
                j = Registry.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            if (j == null || j.isMissingNode()) { // being written right now, or its writer died before writing
                return Optional.of(new Holder("(empty lock file)", "?", "?", -1, "?",
                        Instant.ofEpochMilli(status.getModificationTime())));
            }
            return Optional.of(new Holder(j.path("owner").asText(), j.path("host").asText(), j.path("user").asText(),
                    j.path("pid").asLong(), j.path("started").asText(), Instant.ofEpochMilli(status.getModificationTime())));
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
        Optional<Holder> now = read(registry.fileSystem(), registry.lockPath());
        if (now.isEmpty() || !now.get().owner().equals(owner)) {
            throw new IOException("lost the registry lock " + registry.lockPath() + " (now "
                    + now.map(Holder::describe).orElse("absent") + "): it was not renewed in time and was taken over;"
                    + " this run changes nothing");
        }
    }

    private void renew() {
        try {
            if (read(registry.fileSystem(), registry.lockPath()).map(h -> h.owner().equals(owner)).orElse(false)) {
                registry.fileSystem().setTimes(registry.lockPath(), System.currentTimeMillis(), -1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not renew the registry lock {}: {}", registry.lockPath(), e.toString());
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
        if (read(registry.fileSystem(), registry.lockPath()).map(h -> h.owner().equals(owner)).orElse(false)) {
            registry.fileSystem().delete(registry.lockPath(), false);
            LOG.info("Released the registry lock {}", registry.lockPath());
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
