package dev.ovs.netstate.internal.net;

/**
 * The before-image of a systemd-networkd file Patchbay owns, in the journal.
 *
 * @param name        file name in the network directory, e.g. {@code 10-patchbay-eth1.network}
 * @param existed     whether it existed before the apply
 * @param text        its whole content then (with the ownership header), or null when it did not exist
 * @param createsLink true for a {@code .netdev} the apply creates whose link did not exist before it: a rollback
 *                    deletes that link (systemd-networkd never deletes a link whose {@code .netdev} is removed)
 */
public record FileImage(String name, boolean existed, String text, boolean createsLink) {
    /**
     * An image whose rollback deletes no link.
     *
     * @param name    file name
     * @param existed whether it existed before the apply
     * @param text    its content then, or null
     */
    public FileImage(String name, boolean existed, String text) {
        this(name, existed, text, false);
    }

    /** @return the link of a {@code .netdev} image whose rollback deletes it, else null */
    public String linkToDelete() {
        if (!createsLink || !name.startsWith(NetPlanner.PREFIX) || !name.endsWith(".netdev")) {
            return null;
        }
        return name.substring(NetPlanner.PREFIX.length(), name.length() - ".netdev".length());
    }
}
