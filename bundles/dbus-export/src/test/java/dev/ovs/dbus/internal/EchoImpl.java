package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusErrors;

/** Test implementation of {@link TestEcho}. */
public final class EchoImpl implements TestEcho {
    private final String path;
    private final String tag;

    EchoImpl(String path, String tag) {
        this.path = path;
        this.tag = tag;
    }

    @Override
    public String Echo(String text) {
        switch (text) {
            case "invalid":
                throw DbusErrors.invalidArgs("text", "must not be 'invalid'");
            case "notfound":
                throw DbusErrors.ovsdb(DbusErrors.Kind.NotFound, "no such thing");
            case "agent":
                throw DbusErrors.portAgent(DbusErrors.Kind.Unavailable, "agent away");
            case "npe":
                throw new NullPointerException("boom");
            default:
                return tag + ":" + text;
        }
    }

    @Override
    public String getObjectPath() {
        return path;
    }
}
