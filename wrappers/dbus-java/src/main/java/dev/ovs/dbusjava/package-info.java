/**
 * Patchbay's additions to dbus-java 5.2.0 that a connection's owner switches on explicitly:
 * {@link dev.ovs.dbusjava.InlineDispatch} (selected method calls answered on the reader thread).
 * Exported as version 1.0.0 (bnd.bnd of this wrapper).
 */
package dev.ovs.dbusjava;
