/**
 * Tests that run inside a real Felix framework (bnd tester, osgi-test): the platform plumbing every
 * Patchbay bundle relies on.
 */
package dev.ovs.itests.framework;
