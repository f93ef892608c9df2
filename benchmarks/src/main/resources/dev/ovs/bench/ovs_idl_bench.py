"""Peer side of the ovsdb benchmark: Open vSwitch's Python IDL (Debian python3-openvswitch, ovs.db.idl),
one connection. Written to a temporary file and run with /usr/bin/python3 by OvsdbBench.

  python3 ovs_idl_bench.py addports REMOTE BRIDGE PREFIX N   N add-port transactions, one each (like ovs-vsctl add-port)
  python3 ovs_idl_bench.py bulk REMOTE BRIDGE PREFIX N       N ports in one transaction
  python3 ovs_idl_bench.py sync REMOTE                       initial sync of Open_vSwitch/Bridge/Port/Interface

Prints one JSON object: seconds of the measured part, rows seen, VmRSS (KiB) before connecting and after.
"""
import json
import sys
import time

import ovs.db.idl
import ovs.poller

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def connect(remote):
    helper = ovs.db.idl.SchemaHelper(location=SCHEMA)
    for t in ("Open_vSwitch", "Bridge", "Port", "Interface"):
        helper.register_table(t)
    idl = ovs.db.idl.Idl(remote, helper)
    deadline = time.monotonic() + 120
    while idl.change_seqno == 0:
        idl.run()
        if idl.change_seqno != 0:
            break
        if time.monotonic() > deadline:
            raise SystemExit("no initial sync within 120 s")
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.block()
    return idl


def bridge(idl, name):
    for row in idl.tables["Bridge"].rows.values():
        if row.name == name:
            return row
    raise SystemExit("no bridge " + name)


def add_port(idl, txn, br, name):
    iface = txn.insert(idl.tables["Interface"])
    iface.name = name
    port = txn.insert(idl.tables["Port"])
    port.name = name
    port.interfaces = [iface]
    br.addvalue("ports", port.uuid)


def main():
    mode, remote = sys.argv[1], sys.argv[2]
    rss0 = rss_kb()
    t0 = time.monotonic()
    idl = connect(remote)
    t1 = time.monotonic()
    out = {"mode": mode, "rss_before_kb": rss0, "connect_s": t1 - t0}
    if mode == "sync":
        out["seconds"] = t1 - t0
        out["ports"] = len(idl.tables["Port"].rows)
        out["interfaces"] = len(idl.tables["Interface"].rows)
    elif mode in ("addports", "bulk"):
        br_name, prefix, n = sys.argv[3], sys.argv[4], int(sys.argv[5])
        br = bridge(idl, br_name)
        t0 = time.monotonic()
        if mode == "addports":
            for i in range(n):
                txn = ovs.db.idl.Transaction(idl)
                add_port(idl, txn, br, "%s%d" % (prefix, i))
                status = txn.commit_block()
                if status != ovs.db.idl.Transaction.SUCCESS:
                    raise SystemExit("add-port %d: %s %s" % (i, status, txn.get_error()))
        else:
            txn = ovs.db.idl.Transaction(idl)
            for i in range(n):
                add_port(idl, txn, br, "%s%d" % (prefix, i))
            status = txn.commit_block()
            if status != ovs.db.idl.Transaction.SUCCESS:
                raise SystemExit("bulk: %s %s" % (status, txn.get_error()))
        out["seconds"] = time.monotonic() - t0
        out["ports"] = len(idl.tables["Port"].rows)
    else:
        raise SystemExit("unknown mode " + mode)
    out["rss_after_kb"] = rss_kb()
    idl.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
