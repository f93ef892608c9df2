package dev.ovs.netstate.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.netstate.internal.ports.Attachment;
import dev.ovs.netstate.internal.ports.PortsPlanner;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortChange;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The container-port part of an apply or a rollback, through the port agent's batch operation. */
final class PortBatches {
    /** A batch of the port agent failed (it changed nothing); {@link #done} are the keys of the batches made before it. */
    static final class BatchFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Set<String> done;

        BatchFailed(RuntimeException cause, Set<String> done) {
            super(cause.getMessage(), cause);
            this.done = done;
        }
    }

    private static final Pattern CHANGE_ARG = Pattern.compile("changes\\[(\\d+)\\](.*)");

    private final Services services;
    private final FaultPoints faults;

    PortBatches(Services services, FaultPoints faults) {
        this.services = services;
        this.faults = faults;
    }

    /**
     * The container-port part of an apply or a rollback: the detach batch (with the VLAN changes), the attach batch,
     * then one OVSDB transaction that records the attached ports' settings ({@link Attachment}).
     *
     * @throws BatchFailed      a batch failed with the port agent's {@link InvalidArgumentException} (a change of the
     *                          document: argument its path) or a {@link NetStateException}: Conflict (a port the
     *                          plan expects to exist is gone or the other way round), Timeout, Failed
     * @throws NetStateException the settings could not be recorded (Failed)
     */
    void run(VSwitch v, PortsPlanner.Plan p, String caller) {
        if (p.isEmpty()) {
            return;
        }
        PortAgent a = services.agent();
        Set<String> done = new HashSet<>();
        if (!p.detach().isEmpty()) {
            try {
                batch(a, p.detach(), p.detachPaths(), caller);
            } catch (InvalidArgumentException | NetStateException x) {
                throw new BatchFailed(x, done);
            }
            p.detach().forEach(c -> done.add(c.container() + "/" + c.iface()));
        }
        faults.hit("ports-detached");
        if (p.attach().isEmpty()) {
            return;
        }
        List<String> hosts;
        try {
            hosts = batch(a, p.attach(), p.attachPaths(), caller);
        } catch (InvalidArgumentException | NetStateException x) {
            throw new BatchFailed(x, done);
        }
        faults.hit("ports-attached");
        TransactionBuilder tx = v.client().transaction(OvsSnapshot.DB);
        for (int i = 0; i < hosts.size(); i++) {
            List<Condition> where = List.of(Condition.eq("name", hosts.get(i)));
            tx.mutate("Interface", where, List.of(Mutation.delete("external_ids", Set.of(Attachment.KEY))));
            tx.mutate("Interface", where, List.of(Mutation.insert("external_ids", Map.of(Attachment.KEY,
                    p.attachWith().get(i).encode()))));
        }
        tx.comment("patchbay netstate: settings of attached container ports");
        try {
            TransactionBuilder.join(tx.executeAsync()).throwIfError();
        } catch (RuntimeException x) {
            throw new NetStateException(ErrorKind.Failed, "cannot record the settings of the attached container ports: "
                    + x.getMessage(), x);
        }
    }

    private static List<String> batch(PortAgent a, List<PortChange> changes, List<String> paths, String caller) {
        try {
            return a.apply(changes, caller);
        } catch (InvalidArgumentException x) {
            Matcher m = CHANGE_ARG.matcher(x.argument());
            if (m.matches() && paths.get(Integer.parseInt(m.group(1))) != null) {
                String rest = m.group(2).equals(".iface") ? ".interface" : m.group(2);
                throw new InvalidArgumentException(paths.get(Integer.parseInt(m.group(1))) + rest, x.rule());
            }
            throw new NetStateException(ErrorKind.Failed, "the port agent refused the container port changes: " + x.getMessage(), x);
        } catch (DomainException x) {
            ErrorKind k = switch (x.kind()) {
                case NotFound, AlreadyExists -> ErrorKind.Conflict;
                case Timeout -> ErrorKind.Timeout;
                default -> ErrorKind.Failed;
            };
            throw new NetStateException(k, "container ports: " + x.getMessage() + (k == ErrorKind.Conflict
                    ? " (someone else changed a container port after it was read)" : ""), x);
        }
    }
}
