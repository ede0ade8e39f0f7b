package io.sparkcnn.driver.output;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.train.EarlyStopping;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.driver.train.ReduceLrOnPlateau;
import io.sparkcnn.driver.train.TrainingOutcome;
import io.sparkcnn.driver.train.TrainingState;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-epoch checkpoints in {@code <unfinished run>/checkpoints/epoch-NNNN}: model.zip (weights, updater state,
 * normalizer), the restore-best-weights copy when it differs from the model, and state.json (epoch, history,
 * early-stopping and ReduceLROnPlateau state, stop decision, config and dataset fingerprints, SHA-256 of every
 * file). Each one is
 * written into a temporary folder and renamed into place, so a crash leaves either a whole checkpoint or none;
 * the last {@value #KEEP} are kept. Loading verifies the hashes and falls back to an older checkpoint when the
 * newest is unusable.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    public static final String FOLDER = "checkpoints";
    static final int KEEP = 2;
    static final String STATE = "state.json";
    static final String MODEL = "model.zip";
    static final String BEST_PARAMS = "best-params.bin";
    static final String BEST_UPDATER = "best-updater.bin";
    private static final Pattern NAME = Pattern.compile("epoch-(\\d+)");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final FileSystem fs;
    private final Path dir;

    /** A checkpoint read back: the state to continue from and the network with its updater state. */
    public record Checkpoint(Path path, TrainingState state, MultiLayerNetwork network, String configFingerprint,
                             String resolvedConfig, String datasetFingerprint) {
    }

    /** The JSON shape of state.json. */
    record StateFile(@JsonProperty(JsonFormat.KEY) String formatVersion, int epoch, String created, String configFingerprint, String datasetFingerprint,
                     JsonNode config, EarlyStopping.State earlyStopping, TrainingOutcome.StopReason stopReason,
                     List<EpochRecord> history, Map<String, FileEntry> files,
                     ReduceLrOnPlateau.State reduceLrOnPlateau) {
    }

    record FileEntry(long bytes, String sha256) {
    }

    public CheckpointStore(FileSystem fs, Path runFolder) {
        this.fs = fs;
        this.dir = new Path(runFolder, FOLDER);
    }

    public Path dir() {
        return dir;
    }

    /** Writes the checkpoint of {@code state.epoch()} atomically and prunes all but the newest {@value #KEEP}. */
    public Path write(TrainingState state, MultiLayerNetwork net, DataNormalization normalizer, String resolvedConfig,
                      String configFingerprint, String datasetFingerprint) throws IOException {
        Path target = new Path(dir, name(state.epoch()));
        Path temp = new Path(dir, "." + name(state.epoch()) + "._tmp-" + UUID.randomUUID());
        if (!fs.mkdirs(temp)) {
            throw new IOException("cannot create checkpoint folder " + temp);
        }
        try {
            Map<String, FileEntry> files = new LinkedHashMap<>();
            String modelSha = ModelFiles.write(fs, new Path(temp, MODEL), net, normalizer);
            files.put(MODEL, new FileEntry(fs.getFileStatus(new Path(temp, MODEL)).getLen(), modelSha));
            // the best weights are the model's own when the newest epoch is the best one: not stored twice
            if (state.bestParams() != null && state.stopping().bestEpoch() != state.epoch()) {
                files.put(BEST_PARAMS, writeArray(new Path(temp, BEST_PARAMS), state.bestParams()));
                if (state.bestUpdater() != null) {
                    files.put(BEST_UPDATER, writeArray(new Path(temp, BEST_UPDATER), state.bestUpdater()));
                }
            }
            StateFile sf = new StateFile(JsonFormat.CURRENT, state.epoch(), Instant.now().toString(), configFingerprint,
                    datasetFingerprint, JSON.readTree(resolvedConfig), state.stopping(), state.stopReason(),
                    state.history(), files, state.plateau());
            try (OutputStream out = fs.create(new Path(temp, STATE), false)) {
                JSON.writeValue(out, sf);
            }
            if (fs.exists(target)) {
                fs.delete(target, true); // an earlier attempt at the same epoch (resumed run that repeated it)
            }
            if (!fs.rename(temp, target)) {
                throw new IOException("cannot rename checkpoint " + temp + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            fs.delete(temp, true);
            throw e;
        }
        prune();
        return target;
    }

    /** Epochs with a complete (renamed) checkpoint folder, newest first. */
    public List<Integer> epochs() throws IOException {
        List<Integer> epochs = new ArrayList<>();
        if (!fs.exists(dir)) {
            return epochs;
        }
        for (FileStatus s : fs.listStatus(dir)) {
            Matcher m = NAME.matcher(s.getPath().getName());
            if (s.isDirectory() && m.matches()) {
                epochs.add(Integer.parseInt(m.group(1)));
            }
        }
        epochs.sort(Comparator.reverseOrder());
        return epochs;
    }

    /**
     * The newest checkpoint that reads back whole, or empty when there is none. An unusable newer one
     * (missing file, hash mismatch, unreadable model) is reported in the log and skipped.
     */
    public Optional<Checkpoint> loadLatest() throws IOException {
        for (int epoch : epochs()) {
            Path path = new Path(dir, name(epoch));
            try {
                return Optional.of(load(path, epoch));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Checkpoint {} is unusable ({}); falling back to the previous one", path, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The resolved config recorded in the newest checkpoint whose state.json reads, or empty. */
    public Optional<String> storedConfig() throws IOException {
        for (int epoch : epochs()) {
            try {
                return Optional.of(readState(new Path(dir, name(epoch))).config().toString());
            } catch (IOException | RuntimeException e) {
                LOG.warn("Checkpoint {} has no readable {} ({})", new Path(dir, name(epoch)), STATE, e.getMessage());
            }
        }
        return Optional.empty();
    }

    private Checkpoint load(Path path, int epoch) throws IOException {
        StateFile sf = readState(path);
        if (sf.epoch() != epoch) {
            throw new IOException(STATE + " says epoch " + sf.epoch() + ", folder says " + epoch);
        }
        FileEntry modelEntry = required(sf, MODEL);
        MultiLayerNetwork net = ModelFiles.read(fs, new Path(path, MODEL), modelEntry.sha256(), true).network();
        INDArray bestParams = null;
        INDArray bestUpdater = null;
        if (sf.files().containsKey(BEST_PARAMS)) {
            bestParams = readArray(new Path(path, BEST_PARAMS), sf.files().get(BEST_PARAMS));
            if (sf.files().containsKey(BEST_UPDATER)) {
                bestUpdater = readArray(new Path(path, BEST_UPDATER), sf.files().get(BEST_UPDATER));
            }
        } else if (sf.earlyStopping().bestEpoch() == epoch) {
            bestParams = net.params().dup();
            bestUpdater = net.getUpdater() == null || net.getUpdater().getStateViewArray() == null
                    ? null : net.getUpdater().getStateViewArray().dup();
        }
        // a state.json written before learning rates were recorded has none: 0 there means unknown (a rate is > 0)
        List<EpochRecord> history = sf.history().stream()
                .map(r -> r.learningRate() == 0 ? r.withLearningRate(Double.NaN) : r).toList();
        TrainingState state = new TrainingState(epoch, history, sf.earlyStopping(), sf.stopReason(),
                bestParams, bestUpdater, sf.reduceLrOnPlateau());
        return new Checkpoint(path, state, net, sf.configFingerprint(), sf.config().toString(), sf.datasetFingerprint());
    }

    private StateFile readState(Path path) throws IOException {
        Path state = new Path(path, STATE);
        try (InputStream in = fs.open(state)) {
            StateFile sf = JSON.treeToValue(JsonFormat.checked(JSON.readTree(in), state.toString()), StateFile.class);
            if (sf.config() == null || sf.files() == null || sf.earlyStopping() == null || sf.history() == null) {
                throw new IOException(STATE + " is incomplete");
            }
            return sf;
        } catch (FileNotFoundException e) {
            throw new IOException(STATE + " is missing", e);
        }
    }

    private static FileEntry required(StateFile sf, String name) throws IOException {
        FileEntry e = sf.files().get(name);
        if (e == null) {
            throw new IOException(STATE + " does not list " + name);
        }
        return e;
    }

    private FileEntry writeArray(Path path, INDArray array) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(array, out);
        }
        byte[] data = bytes.toByteArray();
        try (OutputStream out = fs.create(path, false)) {
            out.write(data);
        }
        return new FileEntry(data.length, Hashing.hex(data));
    }

    private INDArray readArray(Path path, FileEntry entry) throws IOException {
        byte[] data;
        try (InputStream in = fs.open(path)) {
            data = in.readAllBytes();
        }
        String sha = Hashing.hex(data);
        if (data.length != entry.bytes() || !sha.equals(entry.sha256())) {
            throw new IOException(path.getName() + ": " + data.length + " bytes with SHA-256 " + sha + ", recorded "
                    + entry.bytes() + " bytes with " + entry.sha256());
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            return Nd4j.read(in);
        }
    }

    /** Deletes complete checkpoints beyond the newest {@value #KEEP} and temporary folders of killed writers. */
    private void prune() throws IOException {
        List<Integer> epochs = epochs();
        for (int i = KEEP; i < epochs.size(); i++) {
            fs.delete(new Path(dir, name(epochs.get(i))), true);
        }
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.getPath().getName().contains("._tmp-")) {
                fs.delete(s.getPath(), true);
            }
        }
    }

    static String name(int epoch) {
        return String.format(java.util.Locale.ROOT, "epoch-%04d", epoch);
    }
}
