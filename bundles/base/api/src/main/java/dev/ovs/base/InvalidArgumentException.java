package dev.ovs.base;

import java.util.Objects;

/**
 * Bad input, typed: the {@link #argument()} (a D-Bus argument name such as {@code bridge}, an option key
 * such as {@code options.vlan}, or a document path such as {@code interfaces[2].bridge.port[0].vlan.tag})
 * and the {@link #rule()} it broke ({@code must be 0..4095, got 5000}). The message is
 * {@code "<argument>: <rule>"}. Thrown before any side effect. On D-Bus it is
 * {@code org.freedesktop.DBus.Error.InvalidArgs} with that message.
 */
public class InvalidArgumentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String argument;
    private final String rule;

    /**
     * @param argument the argument, option or document path that is wrong, not null
     * @param rule     the rule it broke, stated so that the caller can fix the input, not null
     * @throws NullPointerException if either is null
     */
    public InvalidArgumentException(String argument, String rule) {
        super(Objects.requireNonNull(argument, "argument") + ": " + Objects.requireNonNull(rule, "rule"));
        this.argument = argument;
        this.rule = rule;
    }

    /** @return the argument, option key or document path, never null */
    public String argument() {
        return argument;
    }

    /** @return the broken rule, never null */
    public String rule() {
        return rule;
    }

    /**
     * The same rule for an argument nested under {@code prefix}, e.g. {@code container-ports[3]} +
     * {@code vlan} → {@code container-ports[3].vlan}.
     *
     * @param prefix the path of the enclosing object, not null; empty returns this exception's argument
     * @return a new exception with argument {@code prefix + "." + argument()}
     */
    public InvalidArgumentException under(String prefix) {
        return new InvalidArgumentException(prefix.isEmpty() ? argument : prefix + "." + argument, rule);
    }
}
