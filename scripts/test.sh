#!/usr/bin/env bash
# README command 2: the whole test suite (unit tests, real-daemon tests, in-framework tests in Felix,
# end-to-end tests of the packaged appliance). Benchmarks are separate: scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec mvn -B -ntp install "$@"
