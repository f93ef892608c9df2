package dev.ovs.dbus.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.DbusError;
import java.util.concurrent.CompletionException;

/** Test implementation of {@link TestEcho}: some texts make it throw (see {@link #Echo}). */
public final class EchoImpl implements TestEcho {
    private final String path;
    private final String tag;

    EchoImpl(String path, String tag) {
        this.path = path;
        this.tag = tag;
    }

    /**
     * @param text {@code invalid}, {@code notfound}, {@code wrapped}, {@code custom}, {@code npe}, {@code iae}
     *             throw; anything else is echoed as {@code <tag>:<text>}
     */
    @Override
    public String Echo(String text) {
        switch (text) {
            case "invalid":
                throw new InvalidArgumentException("text", "must not be 'invalid'");
            case "notfound":
                throw new DomainException(ErrorKind.NotFound, "no such thing", null);
            case "wrapped":
                throw new CompletionException(new DomainException(ErrorKind.Timeout, "too slow", null));
            case "custom":
                throw new DbusError("dev.ovs.test.Custom.Error.Odd", "odd");
            case "npe":
                throw new NullPointerException("boom");
            case "iae":
                throw new IllegalArgumentException("text: untyped");
            default:
                return tag + ":" + text;
        }
    }

    @Override
    public String getObjectPath() {
        return path;
    }
}
