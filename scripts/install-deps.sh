#!/usr/bin/env bash
# Installs, idempotently, what Patchbay's build, tests and sandbox need on Debian 12 (as root):
# Open vSwitch (ovsdb-server, ovs-vswitchd, ovs-vsctl, ovs-docker, Python IDL), dbus-daemon + busctl,
# podman + runc, busybox-static (container rootfs), iproute2, ping, curl, nats-server (benchmark peer).
set -euo pipefail
pkgs=(openvswitch-switch openvswitch-common python3-openvswitch dbus podman runc busybox-static
      iproute2 iputils-ping curl util-linux procps nats-server uidmap
      openjdk-17-jre-headless adduser systemd)   # the .deb test: its Depends must be satisfiable by dpkg
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d: do not start the packaged daemons on the host; Patchbay's tests start their own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "${created_policy:-0}" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
command -v mvn >/dev/null || { echo "install-deps: Maven is required (apt-get install maven)" >&2; exit 1; }
java -version 2>&1 | grep -q '"17\|"2[0-9]' || { echo "install-deps: JDK 17 or newer is required" >&2; exit 1; }
