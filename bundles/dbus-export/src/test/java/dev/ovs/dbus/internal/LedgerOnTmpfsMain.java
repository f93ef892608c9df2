package dev.ovs.dbus.internal;

import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.internal.ledger.FileLedger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The child process of {@link LedgerDiskFullIT}: in a mount namespace of its own with a small tmpfs, a ledger on
 * that tmpfs and {@link PortsImpl} exported on the given bus with it (bus name {@code dev.ovs.test.Ports1}).
 * Prints {@code ready} when exported, then serves until its standard input closes.
 *
 * <p>Arguments: the bus address, the ledger file.
 */
public final class LedgerOnTmpfsMain {
    private LedgerOnTmpfsMain() {
    }

    /**
     * @param args bus address, ledger file
     * @throws IOException if standard input fails
     */
    public static void main(String[] args) throws IOException {
        FileLedger ledger = FileLedger.openOrRetry(Path.of(args[1]), true, Clock.systemUTC());
        DbusConnectionComponent dbus = new DbusConnectionComponent(args[0]);
        dbus.setLedger(ledger);
        ExportStatus s = dbus.export(new PortsImpl(), PortsImpl.PATH, "dev.ovs.test.Ports1");
        System.out.println(s.state() == ExportStatus.State.EXPORTED ? "ready" : "failed " + s);
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin
        }
        dbus.close();
        ledger.close();
    }
}
