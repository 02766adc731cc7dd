#!/usr/bin/env bash
# The whole test command: lint, types, import rules, then the test suite (benchmarks excluded).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
echo "== ruff";          .venv/bin/ruff check .
echo "== mypy";          .venv/bin/mypy edge
echo "== import rules";  .venv/bin/lint-imports
echo "== pytest";        .venv/bin/pytest -n 2 --dist loadfile "$@"
echo "== pytest, the calendar-dependent tests with the clock a year ahead"
.venv/bin/pytest -n 2 -m dated --clock-ahead-days 365 -q
