package dev.ovs.examples.vlan;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanTag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * VLAN configuration of an OVS Port: columns {@code tag}, {@code trunks} and {@code vlan_mode} of the Port table
 * (ovs-vswitchd.conf.db(5), "VLAN Configuration"). Each operation is ONE OVSDB transaction that writes all three
 * columns, so a port never shows a half-applied mode. All input is validated before anything is sent.
 * Uses only the exported Patchbay API ({@link VSwitch}, {@link dev.ovs.ovsdb.TransactionBuilder}, {@link EventBus}).
 */
public final class VlanManager {
    /** Largest 802.1Q VLAN id accepted by OVS (Port.tag / Port.trunks: 0..4095). */
    public static final int MAX_TAG = 4095;
    /** Value of {@link VlanConfig#tag()} when the port has no tag. */
    public static final int NO_TAG = 65535;

    /**
     * Current VLAN configuration of a port.
     *
     * @param port   port name
     * @param mode   configured vlan_mode ("access", "trunk", "native-tagged", "native-untagged", "dot1q-tunnel") or
     *               "" when unset (ovs-vswitchd then uses access if a tag is set, trunk otherwise)
     * @param tag    Port.tag 0..4095, or {@link #NO_TAG} when empty
     * @param trunks Port.trunks, sorted (empty = all VLANs when trunking)
     */
    public record VlanConfig(String port, String mode, int tag, List<Integer> trunks) {
        /** @return {@code {"port":..,"mode":..,"tag":..|null,"trunks":[..]}} as a map (JSON-ready) */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("port", port);
            m.put("mode", mode);
            m.put("tag", tag == NO_TAG ? null : tag);
            m.put("trunks", trunks);
            return m;
        }
    }

    private final VSwitch vswitch;
    private final EventBus bus;

    /**
     * @param vswitch OVSDB access (required)
     * @param bus     event bus for {@code vlan.port.<name>.changed}, or null for none
     */
    public VlanManager(VSwitch vswitch, EventBus bus) {
        if (vswitch == null) {
            throw new InvalidArgumentException("vswitch", "must not be null");
        }
        this.vswitch = vswitch;
        this.bus = bus;
    }

    /**
     * Access port: vlan_mode=access, tag=TAG, trunks=[] (ovs-vsctl set port P tag=T vlan_mode=access trunks=[]).
     *
     * @param port port name (1..15 bytes)
     * @param tag  VLAN 0..4095
     * @return the new configuration
     * @throws InvalidArgumentException for a bad name or tag (nothing changed)
     * @throws OvsdbException NotFound if the port does not exist (nothing changed); other kinds from OVSDB
     */
    public VlanConfig setAccess(String port, int tag) {
        InterfaceName.check("port", port);
        return write(port, "access", VlanTag.of("tag", tag), Set.of(), true);
    }

    /**
     * Trunk port: vlan_mode=trunk, tag=[], trunks=TAGS (empty list = all VLANs).
     *
     * @param port port name
     * @param tags VLANs 0..4095, duplicates ignored, at most 4096
     * @return the new configuration
     * @throws InvalidArgumentException for a bad name or any bad tag (nothing changed)
     * @throws OvsdbException NotFound if the port does not exist
     */
    public VlanConfig setTrunks(String port, Collection<Integer> tags) {
        InterfaceName.check("port", port);
        if (tags == null) {
            throw new InvalidArgumentException("tags", "must not be null");
        }
        Set<Long> t = new TreeSet<>();
        for (Integer i : tags) {
            if (i == null) {
                throw new InvalidArgumentException("tags", "must not contain null");
            }
            t.add((long) VlanTag.of("tags", i).value());
        }
        return write(port, "trunk", null, t, true);
    }

    /**
     * Native VLAN with 802.1Q tagging kept: vlan_mode=native-tagged, tag=TAG; trunks unchanged.
     *
     * @param port port name
     * @param tag  native VLAN 0..4095
     * @return the new configuration
     * @throws InvalidArgumentException for a bad name or tag
     * @throws OvsdbException NotFound if the port does not exist
     */
    public VlanConfig setNativeTagged(String port, int tag) {
        InterfaceName.check("port", port);
        return write(port, "native-tagged", VlanTag.of("tag", tag), null, false);
    }

    /**
     * Native VLAN sent untagged: vlan_mode=native-untagged, tag=TAG; trunks unchanged.
     *
     * @param port port name
     * @param tag  native VLAN 0..4095
     * @return the new configuration
     * @throws InvalidArgumentException for a bad name or tag
     * @throws OvsdbException NotFound if the port does not exist
     */
    public VlanConfig setNativeUntagged(String port, int tag) {
        InterfaceName.check("port", port);
        return write(port, "native-untagged", VlanTag.of("tag", tag), null, false);
    }

    /**
     * Removes all VLAN configuration: tag=[], trunks=[], vlan_mode=[] (port carries all VLANs).
     *
     * @param port port name
     * @return the new configuration
     * @throws InvalidArgumentException for a bad name
     * @throws OvsdbException NotFound if the port does not exist
     */
    public VlanConfig clear(String port) {
        InterfaceName.check("port", port);
        return write(port, null, null, Set.of(), true);
    }

    /**
     * Reads the configuration from the replica after an echo barrier (changes committed before are seen).
     *
     * @param port port name
     * @return the configuration
     * @throws InvalidArgumentException for a bad name
     * @throws OvsdbException NotFound if the port does not exist
     */
    public VlanConfig get(String port) {
        InterfaceName.check("port", port);
        vswitch.replica().sync();
        Row r = vswitch.replica().byName("Port", port)
                .orElseThrow(() -> new OvsdbException(ErrorKind.NotFound, "not found", "no Port named '" + port + "'"));
        Long tag = r.getLong("tag");
        String mode = r.getString("vlan_mode");
        List<Integer> trunks = new ArrayList<>();
        for (Object o : new TreeSet<>(r.<Long>getSet("trunks"))) {
            trunks.add(((Long) o).intValue());
        }
        return new VlanConfig(port, mode == null ? "" : mode, tag == null ? NO_TAG : tag.intValue(), List.copyOf(trunks));
    }

    private VlanConfig write(String port, String mode, VlanTag tag, Set<Long> trunks, boolean setTrunks) {
        Map<String, Object> row = new HashMap<>();
        row.put("vlan_mode", mode == null ? Set.of() : mode);
        row.put("tag", tag == null ? Set.of() : (long) tag.value());
        if (setTrunks) {
            row.put("trunks", trunks);
        }
        TransactResult r = vswitch.client().transaction(VSwitch.DB)
                .update("Port", List.of(Condition.eq("name", port)), row)
                .execute();
        if (r.results().get(0).count() != 1) {
            throw new OvsdbException(ErrorKind.NotFound, "not found", "no Port named '" + port + "'");
        }
        VlanConfig c = get(port);
        if (bus != null) {
            try {
                bus.publish(Topics.of("vlan", "port", port, "changed"), c.toMap(), "vlan.changed");
            } catch (RuntimeException e) {
                // the change is committed; a bus problem must not turn it into a failure
            }
        }
        return c;
    }
}
