#!/usr/bin/env bash
# Regenerates reports/: the example reports of the bundled example capture.
# tests/test_example_reports.py fails when the committed reports are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m flowaudit check examples/acme-health/capture.mitm \
  --declared examples/acme-health/flowaudit.yml \
  --format text --format json -o reports/acme-health --fail-on never
