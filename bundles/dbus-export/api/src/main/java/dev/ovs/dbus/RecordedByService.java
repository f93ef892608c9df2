package dev.ovs.dbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a mutating method of a whiteboard D-Bus interface ({@link DbusExport}) whose implementation records every
 * call in the ledger ({@link dev.ovs.dbus.ledger.Ledger}) itself: the intent (caller
 * {@link DbusCall#callerText()} of {@link DbusConnectionService#currentCall()}, the operation, its arguments) before
 * any side effect, the outcome after. The exporter writes no intent and no outcome for such a call, so each call is
 * in the ledger once; without a ledger service the exporter lets the call run and the implementation refuses it
 * (it cannot write its intent).
 *
 * <p>Nothing else changes: the member is still mutating for authorization ({@link DbusCall#readOnly()} is false),
 * and a call refused by an authorizer or by the implementation before it writes its intent is not recorded. On a
 * {@link ReadOnly} member the annotation has no effect (nothing is recorded). Like {@link ReadOnly}, it belongs to
 * the interface's contract and applies to every object exported with it: every implementation must record.
 *
 * @since dev.ovs.dbus 2.2.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RecordedByService {
}
