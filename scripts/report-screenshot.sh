#!/usr/bin/env bash
# Renders a report.html to PNG screenshots with headless Chromium (Debian package chromium): one at
# desktop width and one at phone width, to look at the report as a reader on either would.
#
#   scripts/report-screenshot.sh runs/demo-x/report.html [output-prefix]
#       -> <output-prefix>-wide.png (1280 px) and <output-prefix>-phone.png (390 px)
#
# For a report on HDFS, fetch it first: hdfs dfs -get hdfs:///runs/x/report.html /tmp/
# The report's Content-Security-Policy lets the browser load nothing but the file itself.
set -euo pipefail

report="${1:?usage: scripts/report-screenshot.sh REPORT.html [OUTPUT-PREFIX]}"
prefix="${2:-${report%.html}}"
[[ -f "$report" ]] || { echo "report-screenshot.sh: no such file: $report" >&2; exit 2; }
command -v chromium >/dev/null || { echo "report-screenshot.sh: chromium is missing (apt-get install chromium)" >&2; exit 2; }

url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
shoot() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$1" --screenshot="$2" "$url" 2>/dev/null
}
shoot 1280,3600 "$prefix-wide.png"
shoot 390,5200 "$prefix-phone.png"
echo "$prefix-wide.png"
echo "$prefix-phone.png"
