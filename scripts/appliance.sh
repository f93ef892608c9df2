#!/usr/bin/env bash
# README command 1: build Patchbay, run the demo on real containers, and leave you in the live shell of
# the running appliance. Leaving the shell ('exit' or Ctrl-D) stops the appliance, the containers and
# the sandbox.
#   bash scripts/appliance.sh            demo (bin/patchbay demo --keep) + live shell
#   bash scripts/appliance.sh --run      just the appliance in the foreground with its Gogo console: on
#                                        the system's Open vSwitch and D-Bus when both are running,
#                                        otherwise in a sandbox (private ovsdb-server, ovs-vswitchd and
#                                        dbus-daemon in a network namespace) under ./sbx
#   bash scripts/appliance.sh --sandbox  the same, always in the sandbox
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -ntp -q install -DskipTests
dist=$(ls -d distribution/target/patchbay-*/ | head -n 1)
dist=${dist%/}
case "${1:-}" in
  --run)
    if [ -S /var/run/openvswitch/db.sock ] && [ -S /run/dbus/system_bus_socket ]; then
      exec "$dist/bin/patchbay" run --state "${PATCHBAY_STATE:-/var/lib/patchbay}"
    fi
    exec "$dist/bin/patchbay" run --sandbox "${PATCHBAY_SANDBOX:-$PWD/sbx}" ;;
  --sandbox)
    exec "$dist/bin/patchbay" run --sandbox "${PATCHBAY_SANDBOX:-$PWD/sbx}" ;;
  "") ;;
  *) echo "usage: bash scripts/appliance.sh [--run | --sandbox]" >&2; exit 64 ;;
esac
demo_dir="$PWD/demo-sbx"
if [ -e "$demo_dir" ]; then   # left over from an earlier run
  "$dist/bin/patchbay" demo --stop --dir "$demo_dir" >/dev/null 2>&1 || true
  rm -rf "$demo_dir"
fi
trap '"$dist/bin/patchbay" demo --stop --dir "$demo_dir"' EXIT
"$dist/bin/patchbay" demo --keep --dir "$demo_dir" </dev/null   # your typing is for the shell below
echo
echo "Live shell of the running appliance (try: lb, scr:list, ovs:show, port:list, port:ledger verify, bus:stats)."
echo "From another terminal: source $demo_dir/env; then busctl --address=\$DBUS_SYSTEM_BUS_ADDRESS ..."
echo "'exit' stops everything."
"$dist/bin/patchbay" shell --state "$demo_dir/state"
