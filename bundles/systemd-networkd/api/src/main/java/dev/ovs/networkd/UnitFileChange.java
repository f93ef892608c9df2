package dev.ovs.networkd;

/**
 * One change made by enabling or disabling unit files ({@code a(sss)} of EnableUnitFiles/DisableUnitFiles,
 * org.freedesktop.systemd1(5)).
 *
 * @param type        {@code symlink} or {@code unlink}
 * @param file        the symlink's path
 * @param destination the symlink's target (empty for unlink)
 */
public record UnitFileChange(String type, String file, String destination) {
}
