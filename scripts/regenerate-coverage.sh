#!/usr/bin/env bash
# Regenerates docs/adapters.md: the coverage table of the vendor adapters in
# rules/adapters/ (vendor, endpoint, hosts, path patterns, fields, data types,
# source). tests/payload/adapters/test_coverage.py fails when it is stale.
#
# Usage: scripts/regenerate-coverage.sh   (PYTHON=/path/to/python to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
"${PYTHON:-python}" -m flowaudit rules list --adapters --markdown > docs/adapters.md
