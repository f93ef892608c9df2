package dev.ovs.netstate.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.netstate.NetStateException;
import java.util.Map;
import java.util.function.Supplier;

/** The ledger's intents and outcomes of apply, commit and rollback ({@link NetStateEngine#ledger}). */
final class LedgerRecords {
    /** The ledger service now (null supplier: no ledger is kept). */
    private volatile Supplier<Ledger> ledger;

    /** @param ledger the ledger service now, or null while it is missing */
    void ledger(Supplier<Ledger> ledger) {
        this.ledger = ledger;
    }

    /** The ledger's intent of an operation, or null without a ledger; @throws NetStateException Failed if it cannot be written */
    Ledger.Intent intent(String caller, String op, Map<String, String> args) {
        if (ledger == null) {
            return null;
        }
        Ledger l = ledger.get();
        if (l == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the ledger (component dev.ovs.ledger of bundle dev.ovs.dbus) "
                    + "is not running; nothing was changed");
        }
        try {
            return l.begin(caller, op, args);
        } catch (DomainException x) {
            throw new NetStateException(ErrorKind.Failed, x.getMessage() + "; nothing was changed", x);
        }
    }

    static void succeeded(Ledger.Intent i, String detail) {
        if (i != null) {
            i.succeeded(detail);
        }
    }

    static void failed(Ledger.Intent i, RuntimeException x) {
        if (i != null) {
            i.failed(x.getMessage());
        }
    }
}
