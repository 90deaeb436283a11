#!/usr/bin/env bash
# Regenerates reports/acme-health/: flowaudit's report of the bundled example
# capture (examples/acme-health/) in every format it writes.
# tests/test_example_reports.py runs this script into a temporary folder and
# fails when the committed reports differ, so they never go stale.
#
# Usage: scripts/regenerate-reports.sh [OUT]   (default: reports/acme-health)
#        PYTHON=/path/to/python scripts/regenerate-reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-reports/acme-health}

# Reproducible byte for byte: the report date is the end of the example
# capture (2026-11-22T19:29:44Z), not the time of the run.
export SOURCE_DATE_EPOCH=1795375784
# Not a CI job: no annotations, no step summary.
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY

mkdir -p "$out"
rm -f "$out"/flowaudit.*
status=0
"${PYTHON:-python}" -m flowaudit check examples/acme-health/capture.mitm \
  --declared examples/acme-health/flowaudit.yml \
  --format text --format json --format html --format sarif --format junit --format markdown --format csv \
  -o "$out" || status=$?
# Exit 1 is the audit's verdict (Mixpanel is not declared), not a failure.
if [ "$status" -gt 1 ]; then
  exit "$status"
fi
