#!/bin/sh
# Captures the corpus of BufferedMessageReaderFuzzTest: the wire bytes of real D-Bus traffic on a private
# dbus-daemon (nothing of the system or session bus is touched), as dbus-monitor --binary sees them, one message
# per daemon-NN-TYPE.hex (little-endian; the test adds big-endian messages built with dbus-java at run time).
# Traffic: ListNames, GetConnectionUnixUser, Introspect, an unknown member (error), GetConnectionCredentials,
# dev.ovs.PortAgent1.PortCreated, a signal with 'asa{sv}vybdonqutx(si)', Peer.Ping, and the daemon's own
# NameOwnerChanged/NameAcquired signals. Then split mon.bin at each message's length (fixed header + fields + body).
set -eu
dir=$(mktemp -d); A=unix:path=$dir/bus
dbus-daemon --config-file=/usr/share/dbus-1/session.conf --address=$A --nofork --print-pid >$dir/pid &
sleep 0.5; dbus-monitor --address $A --binary >$dir/mon.bin & sleep 0.5
dbus-send --bus=$A --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames >/dev/null
dbus-send --bus=$A --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixUser string:org.freedesktop.DBus >/dev/null
dbus-send --bus=$A --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.Introspectable.Introspect >/dev/null
dbus-send --bus=$A --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NoSuchMember int32:5 >/dev/null 2>&1 || true
dbus-send --bus=$A --type=signal /dev/ovs/PortAgent1 dev.ovs.PortAgent1.PortCreated string:web-1 string:eth1 string:a1b2c3d4e5f6a_l
dbus-send --bus=$A --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionCredentials string:org.freedesktop.DBus >/dev/null
busctl --address=$A emit /dev/ovs/T dev.ovs.T Sig 'asa{sv}vybdonqutx(si)' -- 3 a b c 2 mtu i 1500 vlan q 100 t 18446744073709551615 255 true 1.5 /a/b -2 65535 4294967295 18446744073709551615 -9 x 7
busctl --address=$A call org.freedesktop.DBus / org.freedesktop.DBus.Peer Ping >/dev/null
sleep 0.5; kill "$(cat $dir/pid)"
echo "messages in $dir/mon.bin"
