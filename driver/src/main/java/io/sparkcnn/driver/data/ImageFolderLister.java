package io.sparkcnn.driver.data;

import io.sparkcnn.driver.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Lists an image folder tree through the Hadoop FileSystem API: one subfolder per class (sorted names),
 * image files (PNG, JPEG, BMP, GIF by extension) directly inside. Files with other extensions and
 * hidden files are ignored; an empty class folder or a tree with no images is an error. A glob names
 * several such trees (dated partitions), merged by class name.
 */
public final class ImageFolderLister {
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageFolderLister() {
    }

    /** A file and its size, as listed. */
    public record ImageFile(String uri, long length, int label) {
    }

    /** Class names in label order, every image file (sorted by path within a class) and the folders listed. */
    public record Listing(List<String> classNames, List<ImageFile> files, List<String> roots) {
    }

    /** A glob ({@code images/dt=*}) names several roots, e.g. dated partition folders. */
    public static boolean isGlob(String root) {
        return root.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /**
     * Lists {@code root}: one image folder, or a glob of several (dated partitions such as
     * {@code images/dt=*}) whose class subfolders are merged by name. A class may be absent from some
     * partitions but must have images somewhere.
     */
    public static Listing list(String root, Configuration conf) {
        return list(root, conf, "data.path");
    }

    public static Listing list(String root, Configuration conf, String key) {
        Path rootPath = new Path(root);
        try {
            FileSystem fs = rootPath.getFileSystem(conf);
            List<Path> roots = roots(fs, rootPath, root, key);
            java.util.TreeMap<String, List<Path>> classDirs = new java.util.TreeMap<>();
            for (Path r : roots) {
                for (FileStatus s : fs.listStatus(r)) {
                    if (s.isDirectory() && !hidden(s.getPath())) {
                        classDirs.computeIfAbsent(s.getPath().getName(), k -> new ArrayList<>()).add(s.getPath());
                    }
                }
            }
            if (classDirs.isEmpty()) {
                throw new InvalidInputException(key + ": no class subfolders in " + root
                        + " (expected one subfolder per class with images inside)");
            }
            if (classDirs.size() < 2) {
                throw new InvalidInputException(key + ": only one class folder ('" + classDirs.firstKey()
                        + "') in " + root + "; a classifier needs at least two");
            }
            List<String> classNames = new ArrayList<>(classDirs.keySet());
            List<ImageFile> files = new ArrayList<>();
            for (int label = 0; label < classNames.size(); label++) {
                List<ImageFile> inClass = new ArrayList<>();
                for (Path dir : classDirs.get(classNames.get(label))) {
                    for (FileStatus f : fs.listStatus(dir)) {
                        if (f.isFile() && !hidden(f.getPath()) && isImage(f.getPath().getName())) {
                            inClass.add(new ImageFile(f.getPath().toString(), f.getLen(), label));
                        }
                    }
                }
                if (inClass.isEmpty()) {
                    throw new InvalidInputException(key + ": class folder " + String.join(", ", classDirs.get(
                            classNames.get(label)).stream().map(Path::toString).toList()) + " contains no images ("
                            + String.join("/", EXTENSIONS.stream().sorted().toList()) + ")");
                }
                inClass.sort(Comparator.comparing(ImageFile::uri));
                files.addAll(inClass);
            }
            return new Listing(List.copyOf(classNames), List.copyOf(files),
                    roots.stream().map(Path::toString).toList());
        } catch (IOException e) {
            throw new InvalidInputException(key + ": cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /** The folders {@code root} names: itself, or every folder its glob matches (sorted). */
    private static List<Path> roots(FileSystem fs, Path rootPath, String root, String key) throws IOException {
        if (!isGlob(root)) {
            FileStatus status;
            try {
                status = fs.getFileStatus(rootPath);
            } catch (FileNotFoundException e) {
                throw new InvalidInputException(key + ": image folder not found: " + root);
            }
            if (!status.isDirectory()) {
                throw new InvalidInputException(key + ": not a folder: " + root);
            }
            return List.of(status.getPath());
        }
        FileStatus[] matched = fs.globStatus(rootPath);
        List<Path> roots = matched == null ? List.of() : Arrays.stream(matched).filter(FileStatus::isDirectory)
                .filter(s -> !hidden(s.getPath())).map(FileStatus::getPath).sorted().toList();
        if (roots.isEmpty()) {
            throw new InvalidInputException(key + ": the glob " + root + " matches no folder");
        }
        return roots;
    }

    public static boolean isImage(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    public static boolean hidden(Path p) {
        return p.getName().startsWith(".") || p.getName().startsWith("_");
    }
}
