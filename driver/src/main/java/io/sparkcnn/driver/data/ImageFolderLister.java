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
 * hidden files are ignored; an empty class folder or a tree with no images is an error.
 */
public final class ImageFolderLister {
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageFolderLister() {
    }

    /** A file and its size, as listed. */
    public record ImageFile(String uri, long length, int label) {
    }

    /** Class names in label order, and every image file sorted by path. */
    public record Listing(List<String> classNames, List<ImageFile> files) {
    }

    public static Listing list(String root, Configuration conf) {
        Path rootPath = new Path(root);
        try {
            FileSystem fs = rootPath.getFileSystem(conf);
            FileStatus[] entries;
            try {
                entries = fs.listStatus(rootPath);
            } catch (FileNotFoundException e) {
                throw new InvalidInputException("data.path: image folder not found: " + root);
            }
            if (!fs.getFileStatus(rootPath).isDirectory()) {
                throw new InvalidInputException("data.path: not a folder: " + root);
            }
            FileStatus[] classDirs = Arrays.stream(entries)
                    .filter(FileStatus::isDirectory)
                    .filter(s -> !hidden(s.getPath()))
                    .sorted(Comparator.comparing(s -> s.getPath().getName()))
                    .toArray(FileStatus[]::new);
            if (classDirs.length == 0) {
                throw new InvalidInputException("data.path: no class subfolders in " + root
                        + " (expected one subfolder per class with images inside)");
            }
            if (classDirs.length < 2) {
                throw new InvalidInputException("data.path: only one class folder ('" + classDirs[0].getPath().getName()
                        + "') in " + root + "; a classifier needs at least two");
            }
            List<String> classNames = new ArrayList<>();
            List<ImageFile> files = new ArrayList<>();
            for (int label = 0; label < classDirs.length; label++) {
                Path dir = classDirs[label].getPath();
                classNames.add(dir.getName());
                List<ImageFile> inClass = new ArrayList<>();
                for (FileStatus f : fs.listStatus(dir)) {
                    if (f.isFile() && !hidden(f.getPath()) && isImage(f.getPath().getName())) {
                        inClass.add(new ImageFile(f.getPath().toString(), f.getLen(), label));
                    }
                }
                if (inClass.isEmpty()) {
                    throw new InvalidInputException("data.path: class folder " + dir + " contains no images ("
                            + String.join("/", EXTENSIONS.stream().sorted().toList()) + ")");
                }
                inClass.sort(Comparator.comparing(ImageFile::uri));
                files.addAll(inClass);
            }
            return new Listing(List.copyOf(classNames), List.copyOf(files));
        } catch (IOException e) {
            throw new InvalidInputException("data.path: cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    public static boolean isImage(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    public static boolean hidden(Path p) {
        return p.getName().startsWith(".") || p.getName().startsWith("_");
    }
}
