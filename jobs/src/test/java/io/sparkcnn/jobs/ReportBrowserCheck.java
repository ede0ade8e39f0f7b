package io.sparkcnn.jobs;

import io.sparkcnn.driver.report.ReportWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a report.html in headless Chromium (Debian package chromium): counts the images and those that
 * failed to decode, collects every request the page's Content-Security-Policy blocked (it allows nothing
 * but the file itself and data: images, so any request leaving the file shows up), checks the page fits a
 * phone's width, and takes a screenshot.
 */
final class ReportBrowserCheck {
    static final String CHROMIUM = "/usr/bin/chromium";
    private static final Pattern RESULT = Pattern.compile(
            "CHECK images=(\\d+) broken=(\\d+) blocked=(\\d+) overflow=(\\w+)([^<]*)");

    record Result(int images, int broken, int blockedRequests, boolean overflowsPhoneWidth, String blocked) {
    }

    private ReportBrowserCheck() {
    }

    static Result check(Path report, Path screenshot) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            throw new IllegalStateException(CHROMIUM + " is missing: apt-get install chromium (.ci/run installs it)");
        }
        String html = Files.readString(report, StandardCharsets.UTF_8);
        String meta = "content=\"" + ReportWriter.CSP + "\"";
        if (!html.contains(meta)) {
            throw new AssertionError("report.html does not carry its Content-Security-Policy");
        }
        // the probe needs an inline script; everything else stays as strict as the report's own policy
        String probed = html.replace(meta, "content=\"" + ReportWriter.CSP + "; script-src 'unsafe-inline'\"")
                .replace("</body>", PROBE + "</body>");
        Path probe = report.resolveSibling("probe-" + report.getFileName());
        Files.writeString(probe, probed, StandardCharsets.UTF_8);
        String dom = chromium(report.getParent(), "--window-size=390,844", "--virtual-time-budget=5000", "--dump-dom",
                probe.toUri().toString());
        Matcher m = RESULT.matcher(dom);
        if (!m.find()) {
            throw new AssertionError("the probe did not run; Chromium printed:\n" + dom.substring(0, Math.min(2000, dom.length())));
        }
        chromium(report.getParent(), "--window-size=1280,3600", "--screenshot=" + screenshot.toAbsolutePath(),
                report.toUri().toString());
        return new Result(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                Boolean.parseBoolean(m.group(4)), m.group(5).trim());
    }

    private static String chromium(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--user-data-dir=" + Files.createTempDirectory(workDir, "chromium-profile")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish in 120 s: " + cmd);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static final String PROBE = """
            <script>
            var blocked = [];
            document.addEventListener('securitypolicyviolation', function (e) { blocked.push(e.blockedURI); });
            window.addEventListener('load', function () {
              setTimeout(function () {
                var imgs = document.images, broken = 0;
                for (var i = 0; i < imgs.length; i++) {
                  if (!imgs[i].complete || imgs[i].naturalWidth === 0) { broken++; }
                }
                var overflow = document.documentElement.scrollWidth > window.innerWidth + 1;
                var out = document.createElement('pre');
                out.textContent = 'CHECK images=' + imgs.length + ' broken=' + broken + ' blocked=' + blocked.length
                    + ' overflow=' + overflow + ' ' + blocked.join(' ');
                document.body.appendChild(out);
              }, 100);
            });
            </script>
            """;
}
