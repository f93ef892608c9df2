package dev.ovs.netstate.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.NetState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.felix.service.command.CommandSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands of scope {@code state}: {@code state:show}, {@code state:diff FILE},
 * {@code state:apply FILE [--confirm=SECONDS]}, {@code state:commit [ID]}, {@code state:rollback [ID]},
 * {@code state:checkpoints}. FILE is a path on the appliance's host; {@code -} is not supported. The
 * journal's caller is the session variable {@code patchbay.caller} set by the admin shell, else {@code shell}.
 *
 * <p>A failing command throws {@link CommandFailed} whose message starts with the error's kind:
 * {@code InvalidArgs: interfaces[0].bridge.port[1].vlan.tag: must be 0..4095, got 5000} for bad input, else the
 * {@link dev.ovs.base.ErrorKind} name ({@code Conflict: ...}, {@code CheckpointPending: ...}); the admin shell
 * prints it as {@code error: <kind>: <message>} and {@code bin/patchbay state} turns the kind into its exit status.
 */
@Component(service = StateCommands.class, property = {"osgi.command.scope=state", "osgi.command.function=show",
    "osgi.command.function=diff", "osgi.command.function=apply", "osgi.command.function=commit",
    "osgi.command.function=rollback", "osgi.command.function=checkpoints"})
public class StateCommands {
    @Reference
    private NetState state;

    /** For DS. */
    public StateCommands() {
    }

    StateCommands(NetState state) {
        this.state = state;
    }

    /**
     * A failed {@code state:*} command.
     */
    public static final class CommandFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String kind;

        CommandFailed(String kind, RuntimeException cause) {
            super(kind + ": " + cause.getMessage(), cause);
            this.kind = kind;
        }

        /** @return {@code InvalidArgs} for bad input, else the name of the {@link dev.ovs.base.ErrorKind} */
        public String kind() {
            return kind;
        }
    }

    /** Runs a command; its bad-input and domain errors become {@link CommandFailed} naming their kind. */
    private static <T> T run(Supplier<T> command) {
        try {
            return command.get();
        } catch (InvalidArgumentException e) {
            throw new CommandFailed("InvalidArgs", e);
        } catch (DomainException e) {
            throw new CommandFailed(e.kind().name(), e);
        }
    }

    private static String caller(CommandSession s) {
        Object c = s == null ? null : s.get("patchbay.caller");
        return c == null ? "shell" : c.toString();
    }

    /** @return {@code state:show}: the current state document */
    public String show() {
        return run(state::show);
    }

    /**
     * {@code state:diff FILE}.
     *
     * @param file document path
     * @return the changes as JSON lines, or {@code no changes}
     * @throws CommandFailed InvalidArgs for an unreadable file or an invalid document
     */
    public String diff(String file) {
        return run(() -> diffText(file));
    }

    private String diffText(String file) {
        var changes = state.diff(read(file));
        if (changes.isEmpty()) {
            return "no changes";
        }
        StringBuilder b = new StringBuilder();
        for (var c : changes) {
            b.append(c.op()).append(' ').append(c.kind()).append(' ').append(c.name());
            if (c.field() != null) {
                b.append(' ').append(c.field()).append(": ").append(c.from()).append(" -> ").append(c.to());
            } else if (c.to() != null) {
                b.append(' ').append(c.to());
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    /**
     * {@code state:apply FILE [--confirm=SECONDS]}.
     *
     * @param s    session
     * @param args FILE and options
     * @return the checkpoint line
     * @throws CommandFailed naming the kind of the error
     */
    public String apply(CommandSession s, String... args) {
        return run(() -> applyText(s, args));
    }

    private String applyText(CommandSession s, String... args) {
        long confirm = 0;
        List<String> pos = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--confirm=")) {
                String v = a.substring("--confirm=".length());
                try {
                    confirm = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException("--confirm", "must be a number of seconds, got '" + v + "'");
                }
            } else if (a.startsWith("--")) {
                throw new InvalidArgumentException(a, "unknown option (usage: state:apply FILE [--confirm=SECONDS])");
            } else {
                pos.add(a);
            }
        }
        if (pos.size() != 1) {
            throw new InvalidArgumentException("FILE", "usage: state:apply FILE [--confirm=SECONDS]");
        }
        String id = state.apply(read(pos.get(0)), confirm, caller(s));
        var cp = state.checkpoint(id).orElseThrow();
        return "checkpoint " + id + " " + cp.state().wire() + (cp.changes() == 0 ? " (no changes)" : " (" + cp.changes() + " changes)")
                + (cp.deadlineMicros() > 0 ? ", rolled back in " + confirm + " s unless committed (state:commit " + id + ")" : "");
    }

    /**
     * {@code state:commit [ID]}.
     *
     * @param s    session
     * @param args optional id
     * @return confirmation
     * @throws CommandFailed naming the kind of the error
     */
    public String commit(CommandSession s, String... args) {
        String id = args.length == 0 ? null : args[0];
        run(() -> {
            state.commit(id, caller(s));
            return null;
        });
        return "committed" + (id == null ? "" : " " + id);
    }

    /**
     * {@code state:rollback [ID]}.
     *
     * @param s    session
     * @param args optional id
     * @return confirmation
     * @throws CommandFailed naming the kind of the error
     */
    public String rollback(CommandSession s, String... args) {
        String id = args.length == 0 ? null : args[0];
        run(() -> {
            state.rollback(id, caller(s));
            return null;
        });
        return "rolled back" + (id == null ? "" : " " + id);
    }

    /** @return {@code state:checkpoints}: one line per checkpoint, oldest first */
    public String checkpoints() {
        return run(this::checkpointsText);
    }

    private String checkpointsText() {
        StringBuilder b = new StringBuilder();
        for (var c : state.checkpoints()) {
            b.append(c.id()).append(' ').append(c.state().wire()).append(" changes=").append(c.changes())
                    .append(" caller=").append(c.caller());
            if (c.deadlineMicros() > 0) {
                b.append(" deadline=").append(java.time.Instant.ofEpochMilli(c.deadlineMicros() / 1000));
            }
            if (c.reason() != null) {
                b.append(" reason=").append(c.reason());
            }
            b.append('\n');
        }
        return b.length() == 0 ? "no checkpoints" : b.toString().stripTrailing();
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidArgumentException("FILE", "cannot read " + file + ": " + e.getMessage());
        }
    }
}
