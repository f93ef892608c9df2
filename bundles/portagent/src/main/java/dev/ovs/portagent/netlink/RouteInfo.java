package dev.ovs.portagent.netlink;

import java.net.InetAddress;

/**
 * One route as reported by {@code RTM_NEWROUTE} (rtnetlink(7)).
 *
 * @param family      2 (AF_INET) or 10 (AF_INET6)
 * @param destination {@code RTA_DST}, or null for a default route
 * @param dstLength   {@code rtm_dst_len}
 * @param gateway     {@code RTA_GATEWAY}, or null
 * @param oifIndex    {@code RTA_OIF}, 0 if absent
 * @param table       routing table ({@code RTA_TABLE} or {@code rtm_table}; 254 main, 255 local)
 * @param protocol    {@code rtm_protocol}
 * @param scope       {@code rtm_scope}
 * @param type        {@code rtm_type} (1 unicast, 2 local, ...)
 */
public record RouteInfo(int family, InetAddress destination, int dstLength, InetAddress gateway, int oifIndex,
        int table, int protocol, int scope, int type) {
    /** @return whether this is a default route ({@code dst_len} 0) */
    public boolean isDefault() {
        return dstLength == 0;
    }
}
