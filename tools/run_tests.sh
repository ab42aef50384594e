#!/usr/bin/env bash
# Run the test suite. Sets up the project environment first (built on the first run,
# reused afterwards; see tools/setup_env.sh). Extra arguments go to pytest, e.g.
#   bash tools/run_tests.sh tests/test_saliency -x
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/setup_env.sh
source tools/setup_env.sh
echo "[tests] $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])') in $(readlink -f .venv)"
exec .venv/bin/python -m pytest "$@"
