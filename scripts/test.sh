#!/usr/bin/env bash
# README command 2: the whole test suite (unit tests, real-daemon tests, in-framework tests in Felix,
# end-to-end tests of the packaged appliance). Benchmarks are separate: scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp install "$@"
# The in-framework tests must have run: a bnd tester that finds no test cases is a failure, not a pass.
reports=$(ls itests/framework/target/test-reports/*/*.xml 2>/dev/null || true)
[ -n "$reports" ] || { echo "test.sh: no in-framework test report (itests/framework)" >&2; exit 1; }
for r in $reports; do
  n=$(grep -o '<testsuite [^>]*tests="[0-9]*"' "$r" | head -n 1 | sed 's/.*tests="\([0-9]*\)"/\1/')
  [ "${n:-0}" -gt 0 ] || { echo "test.sh: $r ran no test" >&2; exit 1; }
  echo "in-framework tests: $n in $(basename "$r")"
done
