package io.sparkcnn.jobs;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/** A small, learnable image-folder dataset written to any Hadoop FileSystem: white bars vs white squares. */
final class ShapeImages {
    private ShapeImages() {
    }

    /** Writes {@code perClass} 20x20 PNGs into {@code root}/bar and {@code root}/square, seeded. */
    static void write(FileSystem fs, String root, int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (String cls : new String[] {"bar", "square"}) {
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(random.nextInt(50), random.nextInt(50), random.nextInt(50)));
                g.fillRect(0, 0, 20, 20);
                g.setColor(Color.WHITE);
                int x = random.nextInt(6);
                int y = random.nextInt(6);
                if (cls.equals("bar")) {
                    g.fillRect(x, y + 5, 14, 3);
                } else {
                    g.fillRect(x + 2, y + 2, 9, 9);
                }
                g.dispose();
                try (OutputStream out = fs.create(new Path(root + "/" + cls + "/" + i + ".png"))) {
                    ImageIO.write(img, "png", out);
                }
            }
        }
    }
}
