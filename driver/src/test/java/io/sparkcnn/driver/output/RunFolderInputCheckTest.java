package io.sparkcnn.driver.output;

import io.sparkcnn.driver.common.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An output that would swallow an input is refused before anything is written or deleted. */
class RunFolderInputCheckTest {
    @TempDir
    Path tmp;
    final Configuration conf = new Configuration();
    Path photos;

    @BeforeEach
    void dataset() throws Exception {
        photos = Files.createDirectories(tmp.resolve("data/photos"));
        Files.createDirectories(photos.resolve("cats"));
        Files.writeString(photos.resolve("cats/1.png"), "png");
    }

    List<RunFolder.Input> data() {
        return List.of(new RunFolder.Input("data.path", photos.toUri().toString()));
    }

    String refused(Path output) {
        return refused(output.toUri().toString());
    }

    String refused(String output) {
        String message = assertThrows(InvalidInputException.class,
                () -> RunFolder.checkNotInput("output.path", output, data(), conf)).getMessage();
        assertTrue(Files.exists(photos.resolve("cats/1.png")), "the input is untouched");
        return message;
    }

    @Test
    void theInputItselfIsRefused() {
        String m = refused(photos);
        assertTrue(m.startsWith("output.path file:" + photos + " is the input file:" + photos + " (data.path): refusing to"
                + " write (and with --overwrite, to delete) it; choose another output"), m);
        assertTrue(refused(photos + "/").contains("is the input"), "a trailing slash names the same folder");
        assertTrue(refused(photos + "/cats/..").contains("is the input"), "so does a .. segment");
    }

    @Test
    void anAncestorOfTheInputIsRefused() {
        String m = refused(tmp.resolve("data"));
        assertTrue(m.contains("output.path file:" + tmp.resolve("data") + " contains the input file:" + photos
                + " (data.path)"), m);
        assertTrue(refused(tmp).contains("contains the input"));
    }

    @Test
    void aSymlinkToTheInputOrToItsAncestorIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), photos);
        assertTrue(refused(link).contains("is the input"));
        Path parentLink = Files.createSymbolicLink(tmp.resolve("parent-link"), tmp.resolve("data"));
        assertTrue(refused(parentLink.resolve("photos")).contains("is the input"));
        // an input named through a link, an output named directly
        List<RunFolder.Input> viaLink = List.of(new RunFolder.Input("data.path", link.toUri().toString()));
        String m = assertThrows(InvalidInputException.class, () -> RunFolder.checkNotInput("output.path",
                tmp.resolve("data").toUri().toString(), viaLink, conf)).getMessage();
        assertTrue(m.contains("contains the input") && m.contains("link"), m);
    }

    @Test
    void theRootOfAFileSystemIsRefusedByName() {
        String m = refused("/");
        assertEquals("output.path file:/ is the root of its file system: refusing to write (and with --overwrite, to"
                + " delete) it; choose a folder below it", m);
        m = assertThrows(InvalidInputException.class, () -> RunFolder.checkTarget("file:///", true, conf)).getMessage();
        assertTrue(m.contains("root of its file system"), m);
    }

    @Test
    void aFolderInsideTheInputIsRefusedOnlyWhenItHoldsImages() throws Exception {
        String m = refused(photos.resolve("cats"));
        assertTrue(m.contains("lies inside the input file:" + photos + " (data.path) and holds its image")
                && m.contains("1.png"), m);
        Path predictions = Files.createDirectories(photos.resolve("_predictions"));
        Files.writeString(predictions.resolve("summary.json"), "{}");
        assertDoesNotThrow(() -> RunFolder.checkNotInput("output.path", predictions.toUri().toString(), data(), conf));
        assertDoesNotThrow(() -> RunFolder.checkNotInput("output.path", photos.resolve("new-run").toUri().toString(),
                data(), conf));
    }

    @Test
    void aSiblingWithASharedPrefixIsAllowed() {
        assertDoesNotThrow(() -> RunFolder.checkNotInput("output.path", tmp.resolve("data/photo").toUri().toString(),
                data(), conf));
        assertDoesNotThrow(() -> RunFolder.checkNotInput("output.path", tmp.resolve("data/photos-run").toUri().toString(),
                data(), conf));
    }

    @Test
    void aFolderHoldingAnIdxFileIsRefusedNamingItsKey() throws Exception {
        Path idx = Files.createDirectories(tmp.resolve("mnist"));
        Path images = Files.writeString(idx.resolve("train-images-idx3-ubyte"), "idx");
        Path labels = Files.writeString(idx.resolve("train-labels-idx1-ubyte"), "idx");
        var data = io.sparkcnn.driver.config.ConfigLoader.fromString("data.format = idx",
                "data.idx-train-images=" + images.toUri(), "data.idx-train-labels=" + labels.toUri()).data();
        String m = assertThrows(InvalidInputException.class, () -> RunFolder.checkNotInput("output.path",
                idx.toUri().toString(), JobInputs.ofDataset(data), conf)).getMessage();
        assertTrue(m.contains("contains the input file:" + images + " (data.idx-train-images)"), m);
        assertTrue(Files.exists(images) && Files.exists(labels));
    }

    @Test
    void globsAreCheckedAtTheFolderTheyStartBelow() {
        assertEquals("hdfs://nn/images", JobInputs.globFreeAncestor("hdfs://nn/images/dt=*"));
        assertEquals("/images", JobInputs.globFreeAncestor("/images/dt=2026-*/part-?"));
        assertEquals("/images/photos", JobInputs.globFreeAncestor("/images/photos"));
    }
}
