package dev.ovs.networkd;

/**
 * A link as networkd lists it ({@code ListLinks} / {@code GetLinkByName} / {@code GetLinkByIndex},
 * org.freedesktop.network1(5)).
 *
 * @param index kernel ifindex (&gt; 0)
 * @param name  interface name
 * @param path  link object path, e.g. {@code /org/freedesktop/network1/link/_32}
 */
public record LinkInfo(int index, String name, String path) {
}
