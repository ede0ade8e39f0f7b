package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;
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
 * hidden files are ignored; an empty class folder or a tree with no images is an error (naming a subfolder that
 * holds the images, if one does). A dangling symbolic link (local file system) is listed, to be skipped with that
 * reason when it is decoded. A glob names
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
                    // Hadoop's local listing drops a dangling symbolic link without a word: list it, so that it is
                    // counted and reported among the skipped files ("dangling symbolic link") when it is decoded
                    for (Path link : danglingLinks(dir)) {
                        inClass.add(new ImageFile(link.toString(), 0, label));
                    }
                }
                if (inClass.isEmpty()) {
                    List<Path> dirs = classDirs.get(classNames.get(label));
                    String nested = null;
                    for (Path dir : dirs) {
                        nested = nestedImageFolder(fs, dir, 3, new int[] {1000});
                        if (nested != null) {
                            break;
                        }
                    }
                    throw new InvalidInputException(key + ": class folder " + String.join(", ", dirs.stream()
                            .map(Path::toString).toList()) + " contains no images ("
                            + String.join("/", EXTENSIONS.stream().sorted().toList()) + ")" + (nested == null ? ""
                            : "; a class folder must hold its images directly, not in subfolders, but they are in "
                            + nested + " (move them up, or point data.path at the folder whose subfolders are the"
                            + " classes)"));
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

    /** Image-named symbolic links directly in a local folder whose targets do not exist. */
    static List<Path> danglingLinks(Path dir) {
        if (!"file".equals(dir.toUri().getScheme())) {
            return List.of(); // HDFS symlinks are off by default; other stores have none
        }
        List<Path> links = new ArrayList<>();
        try (var entries = java.nio.file.Files.newDirectoryStream(java.nio.file.Paths.get(dir.toUri()))) {
            for (java.nio.file.Path e : entries) {
                String name = e.getFileName().toString();
                if (!name.startsWith(".") && !name.startsWith("_") && isImage(name)
                        && java.nio.file.Files.isSymbolicLink(e) && !java.nio.file.Files.exists(e)) {
                    links.add(new Path(dir.toUri().getScheme(), dir.toUri().getAuthority(),
                            dir.toUri().getPath() + "/" + name));
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of(); // listed through Hadoop already; this is only the extra look for dangling links
        }
        links.sort(null);
        return links;
    }

    /** A subfolder of {@code dir} (up to {@code depth} levels down) that holds images, or null. */
    private static String nestedImageFolder(FileSystem fs, Path dir, int depth, int[] budget) throws IOException {
        if (depth == 0) {
            return null;
        }
        FileStatus[] entries = fs.listStatus(dir);
        Arrays.sort(entries);
        for (FileStatus s : entries) {
            if (--budget[0] < 0) {
                return null;
            }
            if (s.isDirectory() && !hidden(s.getPath())) {
                for (FileStatus f : fs.listStatus(s.getPath())) {
                    if (f.isFile() && !hidden(f.getPath()) && isImage(f.getPath().getName())) {
                        return s.getPath().toString();
                    }
                }
                String deeper = nestedImageFolder(fs, s.getPath(), depth - 1, budget);
                if (deeper != null) {
                    return deeper;
                }
            }
        }
        return null;
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
