package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code help} with Gogo's real command processor: a bundle's dashless method names next to its dashed function
 * services (as the ovs and port scopes register them) are listed once, and both names still run.
 */
class HelpCommandTest {
    private ThreadIOImpl threadIo;
    private CommandProcessorImpl processor;
    private CommandSession session;

    /** Like OvsCommands: Java methods, registered under their own (dashless) names. */
    public static final class Ovs {
        /** @param name bridge @return what it did */
        @Descriptor("adds a bridge")
        public String addbr(String name) {
            return "added " + name;
        }

        /** @return bridges */
        public String show() {
            return "show";
        }
    }

    @BeforeEach
    void setUp() {
        threadIo = new ThreadIOImpl();
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        Ovs ovs = new Ovs();
        processor.addCommand("ovs", ovs, "addbr");
        processor.addCommand("ovs", ovs, "show");
        // like OvsDashCommands: the dashed name as a Function service
        processor.addCommand("ovs", (Function) (s, args) -> ovs.addbr(String.valueOf(args.get(0))), "add-br");
        // a dashless name with no dashed twin stays; a dashed name with no dashless twin stays
        processor.addCommand("port", (Function) (s, args) -> "x", "ledger");
        processor.addCommand("port", (Function) (s, args) -> "x", "del-all");
        processor.addCommand("gogo", new HelpCommand(), "help", 10);
        session = processor.createSession(InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        session.put("SCOPE", "gogo:*");
    }

    @AfterEach
    void tearDown() {
        session.close();
        processor.stop();
        threadIo.stop();
    }

    @Test
    void listsEachCommandOnceAndEveryNameStillRuns() throws Exception {
        String help = String.valueOf(session.execute("help"));
        List<String> lines = help.lines().toList();
        assertThat(lines).contains("ovs:add-br", "ovs:show", "port:ledger", "port:del-all", "gogo:help")
                .doesNotContain("ovs:addbr").doesNotHaveDuplicates();
        assertThat(lines).isSorted();
        assertThat(session.execute("ovs:addbr br0")).isEqualTo("added br0");
        assertThat(session.execute("ovs:add-br br1")).isEqualTo("added br1");
        assertThat(session.execute("add-br br2")).isEqualTo("added br2");
    }

    @Test
    void aliasesAreFoundByTheirDashedTwin() {
        List<String> all = List.of("ovs:addbr", "ovs:add-br", "ovs:show", "port:del-all");
        assertThat(HelpCommand.visible(all)).containsExactly("ovs:add-br", "ovs:show", "port:del-all");
        assertThat(HelpCommand.methodName(all, "ovs:add-br")).isEqualTo("ovs:addbr");
        assertThat(HelpCommand.methodName(all, "add-br")).isEqualTo("addbr");
        assertThat(HelpCommand.methodName(all, "port:del-all")).isEqualTo("port:del-all");
        assertThat(HelpCommand.methodName(all, "show")).isEqualTo("show");
    }
}
