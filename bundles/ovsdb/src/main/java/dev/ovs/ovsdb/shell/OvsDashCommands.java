package dev.ovs.ovsdb.shell;

import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo cannot map dashed command names to Java methods, so each ovs-vsctl style dashed command
 * ({@code ovs:add-br}, ...) is a {@link Function} service delegating to {@link OvsCommands}.
 */
public final class OvsDashCommands {
    private OvsDashCommands() {
    }

    abstract static class Dash implements Function {
        @Reference
        OvsCommands commands;

        abstract String name();

        @Override
        public Object execute(CommandSession session, List<Object> arguments) {
            String[] a = arguments.stream().map(String::valueOf).toArray(String[]::new);
            return commands.dispatch(name(), a);
        }
    }

    /** ovs:add-br. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=add-br"})
    public static final class AddBr extends Dash {
        @Override
        String name() {
            return "add-br";
        }
    }

    /** ovs:del-br. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=del-br"})
    public static final class DelBr extends Dash {
        @Override
        String name() {
            return "del-br";
        }
    }

    /** ovs:list-br. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=list-br"})
    public static final class ListBr extends Dash {
        @Override
        String name() {
            return "list-br";
        }
    }

    /** ovs:add-port. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=add-port"})
    public static final class AddPort extends Dash {
        @Override
        String name() {
            return "add-port";
        }
    }

    /** ovs:del-port. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=del-port"})
    public static final class DelPort extends Dash {
        @Override
        String name() {
            return "del-port";
        }
    }

    /** ovs:list-ports. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=list-ports"})
    public static final class ListPorts extends Dash {
        @Override
        String name() {
            return "list-ports";
        }
    }

    /** ovs:add-mirror. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=add-mirror"})
    public static final class AddMirror extends Dash {
        @Override
        String name() {
            return "add-mirror";
        }
    }

    /** ovs:del-mirror. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=del-mirror"})
    public static final class DelMirror extends Dash {
        @Override
        String name() {
            return "del-mirror";
        }
    }

    /** ovs:list-mirrors. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=list-mirrors"})
    public static final class ListMirrors extends Dash {
        @Override
        String name() {
            return "list-mirrors";
        }
    }

    /** ovs:set-qos. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=set-qos"})
    public static final class SetQos extends Dash {
        @Override
        String name() {
            return "set-qos";
        }
    }

    /** ovs:clear-qos. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=clear-qos"})
    public static final class ClearQos extends Dash {
        @Override
        String name() {
            return "clear-qos";
        }
    }

    /** ovs:set-queue. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=set-queue"})
    public static final class SetQueue extends Dash {
        @Override
        String name() {
            return "set-queue";
        }
    }

    /** ovs:del-queue. */
    @Component(service = Function.class, property = {"osgi.command.scope=ovs", "osgi.command.function=del-queue"})
    public static final class DelQueue extends Dash {
        @Override
        String name() {
            return "del-queue";
        }
    }
}
