package dev.ovs.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Origin} and the provenance of {@link Event}. */
class OriginTest {
    @Test
    void textFormRoundTripsAndSocketOriginsAreRecognised() {
        Origin s = Origin.socket(65534, 100, 4242);
        assertThat(s.source()).isEqualTo("unix:pid=4242,uid=65534,gid=100");
        assertThat(Origin.ofSource(s.source())).isEqualTo(s);
        assertThat(s.isSocket()).isTrue();
        assertThat(Origin.ofSource("unix:pid=-1,uid=-1,gid=-1")).isEqualTo(Origin.socket(-1, -1, -1));
        Origin b = Origin.ofSource("dev.ovs.ovsdb");
        assertThat(b).isEqualTo(Origin.bundle("dev.ovs.ovsdb"));
        assertThat(b.kind()).isEqualTo(Origin.Kind.BUNDLE);
        assertThat(b.isSocket()).isFalse();
        assertThat(b.source()).isEqualTo("dev.ovs.ovsdb");
        assertThat(b.uid()).isEqualTo(-1);
    }

    @Test
    void malformedOriginsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> Origin.ofSource("unix:pid=1,uid=2")).hasMessageStartingWith("source: expected");
        assertThatThrownBy(() -> Origin.ofSource("unix:uid=1,pid=2,gid=3")).hasMessageStartingWith("source: expected");
        assertThatThrownBy(() -> Origin.ofSource("unix:pid=x,uid=2,gid=3")).hasMessageStartingWith("source: pid=");
        assertThatThrownBy(() -> Origin.ofSource("")).hasMessageStartingWith("source: ");
        assertThatThrownBy(() -> Origin.bundle("evil:unix")).hasMessageStartingWith("bundle: ");
        assertThatThrownBy(() -> Origin.bundle("")).hasMessageStartingWith("bundle: ");
        assertThatThrownBy(() -> new Origin(Origin.Kind.BUNDLE, "b", 0, -1, -1)).hasMessageStartingWith("uid, gid, pid");
        assertThatThrownBy(() -> new Origin(Origin.Kind.SOCKET, "b", 0, 0, 0)).hasMessageStartingWith("bundle: ");
    }

    @Test
    void eventsCarryTheirOrigin() throws Exception {
        ObjectMapper m = new ObjectMapper();
        Event fromBundle = new Event("a.b", m.readTree("{}"), "b", 1, "dev.ovs.portagent");
        assertThat(fromBundle.origin()).isEqualTo(Origin.bundle("dev.ovs.portagent"));
        assertThat(fromBundle.isFromSocket()).isFalse();
        Event fromSocket = new Event("a.b", null, "b", 1, Origin.socket(0, 0, 7));
        assertThat(fromSocket.isFromSocket()).isTrue();
        assertThat(fromSocket.source()).isEqualTo("unix:pid=7,uid=0,gid=0");
        assertThat(fromSocket).isEqualTo(new Event("a.b", null, "b", 1, "unix:pid=7,uid=0,gid=0"));
        assertThat(fromSocket).isNotEqualTo(new Event("a.b", null, "b", 1, "unix:pid=8,uid=0,gid=0"));
        Event text = Event.ofJson("a.b", "[1]".getBytes(StandardCharsets.UTF_8), "b", 1, Origin.socket(5, 5, 5));
        assertThat(text.payload().get(0).asInt()).isEqualTo(1);
        assertThat(text.origin().uid()).isEqualTo(5);
        assertThatThrownBy(() -> Event.ofJson("a.*", new byte[0], "b", 1, Origin.bundle("x")))
                .hasMessageStartingWith("topic: ");
        assertThatThrownBy(() -> new Event("a.b", null, "b", 1, (Origin) null)).hasMessageStartingWith("origin: ");
    }
}
