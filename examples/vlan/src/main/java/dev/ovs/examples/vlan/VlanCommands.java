package dev.ovs.examples.vlan;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.EventBus;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo commands, scope {@code vlan}: {@code vlan:set-access PORT TAG}, {@code vlan:set-trunks PORT [TAG...]},
 * {@code vlan:set-native-tagged PORT TAG}, {@code vlan:set-native-untagged PORT TAG}, {@code vlan:clear PORT},
 * {@code vlan:get PORT}. Each prints the resulting configuration as JSON; errors are thrown (exit 1 in the admin shell).
 */
@Component(service = VlanCommands.class, property = {"osgi.command.scope=vlan", "osgi.command.function=clear",
    "osgi.command.function=get"})
public class VlanCommands {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Reference
    private VSwitch vswitch;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    private VlanManager m() {
        return new VlanManager(vswitch, bus);
    }

    private static String json(VlanManager.VlanConfig c) {
        try {
            return JSON.writeValueAsString(c.toMap());
        } catch (Exception e) {
            return c.toString();
        }
    }

    private static int num(String field, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new dev.ovs.base.InvalidArgumentException(field, "not a number: " + s);
        }
    }

    /**
     * @param port port
     * @return JSON of the cleared configuration
     */
    public String clear(String port) {
        return json(m().clear(port));
    }

    /**
     * @param port port
     * @return JSON configuration
     */
    public String get(String port) {
        return json(m().get(port));
    }

    Object dispatch(String cmd, String[] a) {
        switch (cmd) {
            case "set-access":
                need(a, 2, "vlan:set-access PORT TAG");
                return json(m().setAccess(a[0], num("tag", a[1])));
            case "set-native-tagged":
                need(a, 2, "vlan:set-native-tagged PORT TAG");
                return json(m().setNativeTagged(a[0], num("tag", a[1])));
            case "set-native-untagged":
                need(a, 2, "vlan:set-native-untagged PORT TAG");
                return json(m().setNativeUntagged(a[0], num("tag", a[1])));
            case "set-trunks": {
                if (a.length < 1) {
                    throw new IllegalArgumentException("usage: vlan:set-trunks PORT [TAG...]");
                }
                List<Integer> t = new ArrayList<>();
                for (int i = 1; i < a.length; i++) {
                    for (String p : a[i].split(",")) {
                        if (!p.isBlank()) {
                            t.add(num("tags", p.trim()));
                        }
                    }
                }
                return json(m().setTrunks(a[0], t));
            }
            default:
                throw new IllegalArgumentException("unknown command " + cmd);
        }
    }

    private static void need(String[] a, int n, String usage) {
        if (a.length != n) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    /** Dashed names Gogo cannot map to methods. */
    abstract static class Dash implements Function {
        @Reference
        VlanCommands commands;

        abstract String name();

        @Override
        public Object execute(CommandSession session, List<Object> arguments) {
            return commands.dispatch(name(), arguments.stream().map(String::valueOf).toArray(String[]::new));
        }
    }

    /** vlan:set-access. */
    @Component(service = Function.class, property = {"osgi.command.scope=vlan", "osgi.command.function=set-access"})
    public static final class SetAccess extends Dash {
        @Override
        String name() {
            return "set-access";
        }
    }

    /** vlan:set-trunks. */
    @Component(service = Function.class, property = {"osgi.command.scope=vlan", "osgi.command.function=set-trunks"})
    public static final class SetTrunks extends Dash {
        @Override
        String name() {
            return "set-trunks";
        }
    }

    /** vlan:set-native-tagged. */
    @Component(service = Function.class, property = {"osgi.command.scope=vlan", "osgi.command.function=set-native-tagged"})
    public static final class SetNativeTagged extends Dash {
        @Override
        String name() {
            return "set-native-tagged";
        }
    }

    /** vlan:set-native-untagged. */
    @Component(service = Function.class, property = {"osgi.command.scope=vlan", "osgi.command.function=set-native-untagged"})
    public static final class SetNativeUntagged extends Dash {
        @Override
        String name() {
            return "set-native-untagged";
        }
    }
}
