#!/usr/bin/env bash
# Benchmarks (never part of the test command): builds, then measures Patchbay against the named peers
# in one run and prints markdown tables; copy them into docs/benchmarks.md with the date and machine.
#   scripts/bench.sh [suite...]      suites: startup ovsdb dbus bus (default: all; about 4 minutes); only when
#                                    named: soak, portagent (Patchbay add/del-port vs ovs-docker, podman; ~2 min),
#                                    netstate (one Apply vs ovs-vsctl and ovs-docker; several minutes;
#                                    NETSTATE_SIZES=1000 for one port count instead of 100,300,1000)
#   SOAK_N=100 SOAK_BUNDLES=dev.ovs.bus,dev.ovs.dbus scripts/bench.sh soak   (hot-swap soak: swaps per bundle,
#                                    which core bundles; default 100 and all six, about 6 minutes)
#   FUZZ_TRIES=10000 scripts/bench.sh fuzz   (the jqwik fuzz properties, N tries each instead of CI's 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests -pl benchmarks -am
dist=$(ls -d distribution/target/patchbay-*/ | head -n 1)
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.ovs.bench.Bench "$dist" "$@"
