package dev.ovs.shell.internal;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/**
 * {@code help}: every command once. Gogo maps a command name to a Java method of the same name, and a method name
 * cannot contain a dash, so a bundle that offers {@code ovs:add-br} registers the method {@code addbr} as a command
 * too and adds {@code add-br} as a separate function service (see {@code OvsDashCommands}, {@code port:del-all}).
 * Gogo's own {@code help} (gogo.jline's {@code gogo:help}) lists both. This one lists {@code SCOPE:NAME} once per
 * command: a name without dashes is left out when the same scope has a dashed name that equals it without its
 * dashes ({@code addbr} beside {@code add-br}); the left-out names still run.
 *
 * <p>It is registered as {@code gogo:help} with {@code service.ranking} 10, so it is the {@code help} of every
 * session whose {@code SCOPE} starts with {@code gogo} (the console's gosh_profile and the admin shell set
 * {@code SCOPE=gogo:*}); Gogo picks the highest-ranked service of a name. {@code help NAME} shows Gogo's detailed
 * help ({@code felix:help}) of NAME, of its dashless twin for a dashed name.
 */
@Component(service = HelpCommand.class, property = {"osgi.command.scope=gogo", "osgi.command.function=help",
    "service.ranking:Integer=10"})
public final class HelpCommand {
    /** Session variable of Gogo holding every registered {@code scope:function} name. */
    static final String COMMANDS = ".commands";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:*-]{1,200}");

    /** For DS. */
    public HelpCommand() {
    }

    /**
     * @param session the session (for its command names)
     * @return one {@code scope:function} per line, sorted, aliases left out
     */
    @Descriptor("displays available commands, each once")
    public String help(CommandSession session) {
        return String.join("\n", visible(commands(session))) + "\n";
    }

    /**
     * @param session the session
     * @param name    a command, {@code NAME} or {@code SCOPE:NAME}
     * @return Gogo's detailed help of the command (its methods, parameters and options)
     * @throws Exception                if Gogo's help fails
     * @throws IllegalArgumentException if name is not a command name
     */
    @Descriptor("displays information about a specific command")
    public Object help(CommandSession session, @Descriptor("target command") String name) throws Exception {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: must be a command name ([A-Za-z0-9_.:*-]), got '" + name + "'");
        }
        return session.execute("felix:help " + methodName(commands(session), name));
    }

    @SuppressWarnings("unchecked")
    private static Collection<String> commands(CommandSession session) {
        Object c = session.get(COMMANDS);
        return c instanceof Collection<?> ? (Collection<String>) c : Set.of();
    }

    /**
     * @param all every {@code scope:function} name
     * @return the names to list: sorted, without a dashless name whose dashed twin is in the same scope
     */
    static Set<String> visible(Collection<String> all) {
        Set<String> dashless = new TreeSet<>();
        for (String n : all) {
            int colon = n.indexOf(':');
            if (colon > 0 && n.indexOf('-', colon) > 0) {
                dashless.add(n.substring(0, colon + 1) + n.substring(colon + 1).replace("-", ""));
            }
        }
        Set<String> out = new TreeSet<>();
        for (String n : all) {
            if (!dashless.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * @param all  every {@code scope:function} name
     * @param name a command as typed
     * @return the name whose Java method documents it: the dashless twin of a dashed name when it is registered,
     *         else the name itself
     */
    static String methodName(Collection<String> all, String name) {
        if (!name.contains("-")) {
            return name;
        }
        int colon = name.indexOf(':');
        String twin = name.substring(0, colon + 1) + name.substring(colon + 1).replace("-", "");
        for (String n : all) {
            if (n.equals(twin) || (colon < 0 && n.endsWith(":" + twin))) {
                return twin;
            }
        }
        return name;
    }
}
