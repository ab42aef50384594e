#!/usr/bin/env bash
# Run the demo. Sets up the project environment first (built on the first run, reused
# afterwards; see tools/setup_env.sh). Options go to tools/demo.py (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/setup_env.sh
source tools/setup_env.sh
exec .venv/bin/python tools/demo.py "$@"
