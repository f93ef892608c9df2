#!/usr/bin/env bash
# README command 1: build Patchbay and run the appliance in the foreground with a live shell.
# Uses the system's Open vSwitch and D-Bus when both are running; otherwise (or with --sandbox)
# starts private ovsdb-server, ovs-vswitchd and dbus-daemon in a network namespace under ./sbx.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests
dist=$(ls -d distribution/target/patchbay-*/ | head -n 1)
if [ "${1:-}" != "--sandbox" ] && [ -S /var/run/openvswitch/db.sock ] && [ -S /run/dbus/system_bus_socket ]; then
  exec "$dist/bin/patchbay" run --state "${PATCHBAY_STATE:-/var/lib/patchbay}"
fi
exec "$dist/bin/patchbay" run --sandbox "${PATCHBAY_SANDBOX:-$PWD/sbx}"
