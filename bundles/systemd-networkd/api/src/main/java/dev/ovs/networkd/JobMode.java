package dev.ovs.networkd;

import dev.ovs.base.InvalidArgumentException;
/**
 * Job mode of StartUnit / StopUnit / RestartUnit / ReloadOrRestartUnit (org.freedesktop.systemd1(5),
 * systemctl(1) {@code --job-mode=}).
 */
public enum JobMode {
    /** {@code replace}: replace conflicting queued jobs (the default). */
    REPLACE("replace"),
    /** {@code fail}: fail if a conflicting job is queued. */
    FAIL("fail"),
    /** {@code isolate}: start only; stop all other units. */
    ISOLATE("isolate"),
    /** {@code ignore-dependencies}: ignore all unit dependencies. */
    IGNORE_DEPENDENCIES("ignore-dependencies"),
    /** {@code ignore-requirements}: ignore requirement dependencies only. */
    IGNORE_REQUIREMENTS("ignore-requirements"),
    /** {@code replace-irreversibly}: like replace, and the new job cannot be replaced. */
    REPLACE_IRREVERSIBLY("replace-irreversibly");

    private final String wire;

    JobMode(String wire) {
        this.wire = wire;
    }

    /** @return the string systemd expects, e.g. {@code replace} */
    public String wire() {
        return wire;
    }

    /**
     * @param s a wire name ({@code replace}) or constant name ({@code REPLACE}), case-insensitive
     * @return the mode
     * @throws InvalidArgumentException for anything else
     */
    public static JobMode parse(String s) {
        if (s != null) {
            for (JobMode m : values()) {
                if (m.wire.equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s)) {
                    return m;
                }
            }
        }
        throw new InvalidArgumentException("mode", "must be one of replace, fail, isolate, ignore-dependencies, "
                + "ignore-requirements, replace-irreversibly; got " + s);
    }
}
