#!/usr/bin/env bash
# Benchmarks (never part of the test command): builds, then measures Patchbay against the named peers
# in one run and prints markdown tables; copy them into docs/benchmarks.md with the date and machine.
#   scripts/bench.sh [suite...]      suites: startup ovsdb dbus bus (default: all; about 4 minutes); only when
#                                    named: soak, portagent (Patchbay add/del-port vs ovs-docker, podman; ~2 min),
#                                    netstate (one Apply vs ovs-vsctl and ovs-docker; several minutes;
#                                    NETSTATE_SIZES=1000 for one port count instead of 100,300,1000),
#                                    hotdeploy (a jar into deploy/ until it answers on D-Bus, and back; HOTDEPLOY_N
#                                    rounds, default 10; shipped poll vs 1000 ms; about 2 minutes)
#   SOAK_N=100 SOAK_BUNDLES=dev.ovs.bus,dev.ovs.dbus scripts/bench.sh soak   (hot-swap soak: swaps per bundle,
#                                    which core bundles; default 100 and all six, about 6 minutes)
#   FLEET_N=10 scripts/bench.sh fleet   (N packaged appliances behind a hub of three nats-servers: rollouts, per-host
#                                    write → applied against the NATS floor; default 10, about 4 minutes)
#   FUZZ_TRIES=10000 scripts/bench.sh fuzz   (the jqwik fuzz properties, N tries each instead of CI's 1000)
#   TORTURE_RESTARTS=20 scripts/bench.sh torture   (restart torture: ovsdb-server and dbus-daemon restarted N times
#                                    each under 10 D-Bus clients; default 20, CI runs 3; several minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests -pl benchmarks -am
dist=$(ls -d distribution/target/patchbay-*/ | head -n 1)
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.ovs.bench.Bench "$dist" "$@"
