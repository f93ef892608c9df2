package dev.ovs.netstate.internal.doc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The complete example of docs/state.md is a valid document and round-trips. */
class DocsExampleTest {
    @Test
    void theDocumentedExampleParses() throws Exception {
        String md = Files.readString(Path.of("../../docs/state.md"));
        int start = md.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = md.substring(start, md.indexOf("```", start));
        int start2 = md.indexOf("```yaml\n", start) + "```yaml\n".length();
        Doc net = new DocParser().parse(md.substring(start2, md.indexOf("```", start2)));
        assertThat(net.links()).extracting(Doc.Link::name).containsExactly("eth2.50", "eth3", "eth2.60");
        assertThat(net.routes()).hasSize(2);
        assertThat(new DocParser().parse(new DocWriter().write(net))).isEqualTo(net);
        Doc d = new DocParser().parse(yaml);
        assertThat(d.interfaces()).hasSize(7);
        Doc.Bridge br0 = (Doc.Bridge) d.interfaces().get(0);
        assertThat(br0.ports()).hasSize(4);
        assertThat(br0.ports().get(2).vlan().mode()).isEqualTo("native-untagged");
        assertThat(d.containerPorts()).hasSize(3);
        assertThat(d.containerPorts().get(0).vlan()).isEqualTo(10L);
        assertThat(d.containerPorts().get(1).cleared()).containsExactly("mtu");
        assertThat(d.containerPorts().get(2).absent()).isTrue();
        assertThat(new DocParser().parse(new DocWriter().write(d))).isEqualTo(d);
    }
}
