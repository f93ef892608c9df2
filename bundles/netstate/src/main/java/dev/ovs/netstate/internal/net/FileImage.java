package dev.ovs.netstate.internal.net;

/**
 * The before-image of a systemd-networkd file Patchbay owns, in the journal.
 *
 * @param name    file name in the network directory, e.g. {@code 10-patchbay-eth1.network}
 * @param existed whether it existed before the apply
 * @param text    its whole content then (with the ownership header), or null when it did not exist
 */
public record FileImage(String name, boolean existed, String text) {
}
