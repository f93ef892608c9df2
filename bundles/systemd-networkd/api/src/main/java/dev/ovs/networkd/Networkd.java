package dev.ovs.networkd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * systemd-networkd over D-Bus ({@code org.freedesktop.network1}, org.freedesktop.network1(5)); never
 * {@code networkctl}. OSGi service of component PID {@code dev.ovs.networkd}. While active, the component
 * also turns {@code PropertiesChanged} of link objects into bus events {@code network.link.<name>.state}
 * ({@link LinkStateChange}); the subscription survives networkd and bus daemon restarts.
 *
 * <p>Errors: {@link dev.ovs.base.InvalidArgumentException} for an empty name or index &lt;= 0;
 * {@link NetworkdException} with kind NotFound for an unknown link ({@code org.freedesktop.resolve1.NoSuchLink}),
 * Unavailable without a connection or without networkd on the bus, Failed for other D-Bus errors or JSON
 * networkd sent that cannot be parsed.
 */
@ProviderType
public interface Networkd {
    /** @return every link networkd knows ({@code ListLinks}), ordered by ifindex */
    List<LinkInfo> links();

    /**
     * @param name interface name ({@code GetLinkByName})
     * @return the link
     */
    LinkInfo link(String name);

    /**
     * @param index ifindex &gt; 0 ({@code GetLinkByIndex})
     * @return the link
     */
    LinkInfo link(int index);

    /**
     * @param name interface name
     * @return its state properties, read with {@code org.freedesktop.DBus.Properties.GetAll}
     */
    LinkState linkState(String name);

    /**
     * @param name interface name
     * @return {@code DescribeLink(index)} parsed
     */
    LinkDescription describe(String name);

    /** @return {@code Describe()} parsed as JSON (an object with {@code Interfaces}, ...) */
    JsonNode describeManager();

    /** {@code Reload()}: networkd re-reads its configuration directories and applies changes. */
    void reload();

    /**
     * {@code ReconfigureLink(index)}.
     *
     * @param name interface name
     */
    void reconfigure(String name);
}
