package org.freedesktop.network1;

import java.util.List;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.freedesktop.network1.Manager} on object {@value #PATH} of bus name {@value #BUS_NAME}
 * (org.freedesktop.network1(5), "The Manager Object"): the members Patchbay uses, exact names and
 * signatures. Unknown links give the D-Bus error {@code org.freedesktop.resolve1.NoSuchLink}.
 */
public interface Manager extends DBusInterface {
    /** Well-known bus name of systemd-networkd. */
    String BUS_NAME = "org.freedesktop.network1";
    /** Object path of the manager. */
    String PATH = "/org/freedesktop/network1";

    /**
     * {@code ListLinks(out a(iso) links)}.
     *
     * @return ifindex, name and object path of every link networkd knows
     */
    List<LinkEntry> ListLinks();

    /**
     * {@code GetLinkByName(in s name, out i ifindex, out o path)}.
     *
     * @param name interface name
     * @return ifindex and link object path
     */
    IndexAndPath<Integer, DBusPath> GetLinkByName(String name);

    /**
     * {@code GetLinkByIndex(in i ifindex, out s name, out o path)}.
     *
     * @param ifindex interface index
     * @return name and link object path
     */
    NameAndPath<String, DBusPath> GetLinkByIndex(int ifindex);

    /**
     * {@code ReconfigureLink(in i ifindex)}: re-applies the matching .network file to the link.
     *
     * @param ifindex interface index
     */
    void ReconfigureLink(int ifindex);

    /** {@code Reload()}: re-reads .network/.netdev files and reconfigures links whose file changed. */
    void Reload();

    /**
     * {@code DescribeLink(in i ifindex, out s json)}.
     *
     * @param ifindex interface index
     * @return JSON description of the link (format of networkctl --json)
     */
    String DescribeLink(int ifindex);

    /**
     * {@code Describe(out s json)}.
     *
     * @return JSON description of the manager and all links
     */
    String Describe();

    /** One {@code (iso)} element of ListLinks. */
    final class LinkEntry extends Struct {
        /** ifindex. */
        @Position(0)
        public final int ifindex;
        /** interface name. */
        @Position(1)
        public final String name;
        /** link object path, e.g. {@code /org/freedesktop/network1/link/_32}. */
        @Position(2)
        public final DBusPath path;

        /**
         * @param ifindex ifindex
         * @param name    name
         * @param path    object path
         */
        public LinkEntry(int ifindex, String name, DBusPath path) {
            this.ifindex = ifindex;
            this.name = name;
            this.path = path;
        }
    }

    /**
     * Out arguments of GetLinkByName ({@code i}, {@code o}).
     *
     * @param <A> Integer
     * @param <B> DBusPath
     */
    final class IndexAndPath<A, B> extends Tuple {
        /** ifindex. */
        @Position(0)
        public final A ifindex;
        /** path. */
        @Position(1)
        public final B path;

        /**
         * @param ifindex ifindex
         * @param path    object path
         */
        public IndexAndPath(A ifindex, B path) {
            this.ifindex = ifindex;
            this.path = path;
        }
    }

    /**
     * Out arguments of GetLinkByIndex ({@code s}, {@code o}).
     *
     * @param <A> String
     * @param <B> DBusPath
     */
    final class NameAndPath<A, B> extends Tuple {
        /** name. */
        @Position(0)
        public final A name;
        /** path. */
        @Position(1)
        public final B path;

        /**
         * @param name name
         * @param path object path
         */
        public NameAndPath(A name, B path) {
            this.name = name;
            this.path = path;
        }
    }
}
