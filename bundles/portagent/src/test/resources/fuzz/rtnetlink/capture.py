# Captures the corpus of RtNetlinkFuzzTest: real kernel replies (one netlink message per .hex file, host byte
# order) from a private network namespace, so that nothing of the host is touched or recorded:
#   unshare -n python3 capture.py OUTDIR        (root; needs the veth and bridge link kinds)
# newlink-*: RTM_GETLINK dump; newaddr-*: RTM_GETADDR dump; newroute-*, done: RTM_GETROUTE dump (all tables);
# error-*: NLMSG_ERROR of refused requests (error-einval-extack carries an extended-ack message); ack: errno 0.
import socket, struct, os, sys, subprocess
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def sh(c): subprocess.run(c, shell=True, check=True)
sh("ip link set lo up")
sh("ip link add dummy0 type veth peer name dummy0p && ip link set dummy0p up && ip link set dummy0 up mtu 9000 address 02:00:00:00:00:01")
sh("ip addr add 10.1.2.3/24 dev dummy0 label dummy0:a && ip addr add fd00::3/64 dev dummy0 nodad")
sh("ip link add br-f type bridge && ip link add vf_l type veth peer name vf_p && ip link set vf_l master br-f && ip link set vf_l alias 'fuzz alias'")
sh("ip link set br-f up && ip link set vf_l up")
sh("ip route add 192.168.50.0/24 via 10.1.2.1 && ip route add default via 10.1.2.254 table 1000 && ip -6 route add fd01::/64 via fd00::1")
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
s.bind((0, 0))
seq = [0]
def req(typ, flags, body):
    seq[0] += 1
    msg = struct.pack("=IHHII", 16 + len(body), typ, flags, seq[0], 0) + body
    s.send(msg)
    msgs = []
    while True:
        data = s.recv(65536)
        pos = 0
        done = False
        while pos + 16 <= len(data):
            l, t, f, sq, pid = struct.unpack_from("=IHHII", data, pos)
            msgs.append((t, data[pos:pos + l]))
            if t in (2, 3): done = True
            pos += (l + 3) & ~3
        if done or not (flags & 0x300): return msgs
def save(name, raw):
    with open(os.path.join(out, name), "w") as f:
        h = raw.hex()
        f.write("\n".join(h[i:i+64] for i in range(0, len(h), 64)) + "\n")
ifi = struct.pack("=BBHiII", 0, 0, 0, 0, 0, 0)
n = {}
for t, raw in req(18, 0x301, ifi):
    if t == 16:
        n.setdefault("link", 0); n["link"] += 1
        save("newlink-%d.hex" % n["link"], raw)
ifa = struct.pack("=BBBBI", 0, 0, 0, 0, 0)
for t, raw in req(22, 0x301, ifa):
    if t == 20:
        n.setdefault("addr", 0); n["addr"] += 1
        save("newaddr-%d.hex" % n["addr"], raw)
rtm = struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0)
for t, raw in req(26, 0x301, rtm):
    if t == 24:
        n.setdefault("route", 0); n["route"] += 1
        save("newroute-%d.hex" % n["route"], raw)
    elif t == 3:
        save("done.hex", raw)
# errors: delete a missing link (ENODEV), create an existing one (EEXIST, ext ack), bad attribute (EINVAL ext ack)
def attr(t, d):
    l = 4 + len(d); return struct.pack("=HH", l, t) + d + b"\0" * (((l + 3) & ~3) - l)
for name, typ, flags, body in [
    ("error-enodev.hex", 17, 0x5, ifi + attr(3, b"nosuch0\0")),
    ("error-eexist.hex", 16, 0x605, ifi + attr(3, b"dummy0\0") + attr(18, attr(1, b"dummy\0"))),
    ("error-einval-extack.hex", 16, 0x605, ifi + attr(3, b"x0\0") + attr(18, attr(1, b"vlan\0"))),
    ("ack.hex", 16, 0x5, struct.pack("=BBHiII", 0, 0, 0, 0, 0, 0) + attr(3, b"dummy0\0")),
]:
    for t, raw in req(typ, flags, body):
        if t == 2: save(name, raw)
print(n)
