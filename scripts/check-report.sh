#!/usr/bin/env bash
# Open REPORT.html (a plan's or a burst plan's) in headless Chromium (Debian package `chromium`) with the network
# refused; fail on a console error, a failed or external request, a missing chart, a page wider than a phone, a
# table that does not sort, a histogram or timeline not drawn, or a page that does not print. Screenshots
# (desktop.png, phone.png) and print.pdf go to OUTDIR.
#
# Usage: scripts/check-report.sh REPORT.html OUTDIR [chart,chart,...]   (default: the charts of the report's kind)
# Without chromium (or node/npm) it skips with a message, except under CI (CI set), where that is a failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
report="${1:?usage: scripts/check-report.sh REPORT.html OUTDIR [charts]}"
out="${2:?usage: scripts/check-report.sh REPORT.html OUTDIR [charts]}"
charts="${3:-}"
missing() {
  if [ -n "${CI:-}" ]; then
    echo "check-report: $1 is missing; CI needs it (.ci/run installs it: apt-get install -y $2)" >&2
    exit 1
  fi
  echo "check-report: SKIPPED, $1 is not installed (Debian: apt-get install -y $2)" >&2
  exit 0
}
chromium="${CHROMIUM:-$(command -v chromium || true)}"
[ -n "$chromium" ] || missing chromium chromium
command -v node >/dev/null || missing node nodejs
command -v npm >/dev/null || missing npm npm
if [ ! -f "$here/browser/node_modules/playwright-core/package.json" ]; then
  (cd "$here/browser" && npm ci --no-audit --no-fund --silent)
fi
CHROMIUM="$chromium" node "$here/browser/check.mjs" "$report" "$out" "$charts"
