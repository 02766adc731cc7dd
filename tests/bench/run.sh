#!/usr/bin/env bash
# Every benchmark, one after another (they measure time: run them on a quiet machine). Each one
# rewrites its own section of docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export QT_QPA_PLATFORM=offscreen
.venv/bin/pytest tests/bench -p no:cacheprovider -o addopts="" -s "$@"
