package dev.ovs.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {
    enum Level { WARN, INFO }

    @interface Cfg {
        boolean leader_only() default false;

        long reconnect_max_ms() default 8000;

        int max_message_bytes() default 1024;

        String bridge_datapath__type() default "";

        Level level() default Level.WARN;

        String[] names() default {};
    }

    @Test
    void keysFollowTheComponentPropertyTypeMapping() {
        assertThat(ConfigValues.key("reconnect_max_ms")).isEqualTo("reconnect.max.ms");
        assertThat(ConfigValues.key("bridge_datapath__type")).isEqualTo("bridge.datapath_type");
        assertThat(ConfigValues.key("a$$b")).isEqualTo("a$b");
        assertThat(ConfigValues.key("a$_$b")).isEqualTo("a-b");
        assertThat(ConfigValues.key("a$b")).isEqualTo("ab");
    }

    @Test
    void goodValuesPassInTextAndTyped() {
        ConfigValues.check(Map.of("leader.only", "TRUE", "reconnect.max.ms", " 100 ", "max.message.bytes", 2048,
                "bridge.datapath_type", "anything", "level", "INFO", "names", new String[] {"a", "b"},
                "other.key", "abc"), Cfg.class);
        ConfigValues.check(Map.of("leader.only", Boolean.FALSE, "reconnect.max.ms", 5L), Cfg.class);
        ConfigValues.check(Map.of(), Cfg.class);
    }

    @Test
    void wrongTypesNameTheKeyAndTheRule() {
        assertThatThrownBy(() -> ConfigValues.check(Map.of("leader.only", "maybe"), Cfg.class))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("leader.only: must be true or false, got 'maybe'");
        assertThatThrownBy(() -> ConfigValues.check(Map.of("reconnect.max.ms", "abc"), Cfg.class))
                .hasMessage("reconnect.max.ms: must be a whole number (Long, " + Long.MIN_VALUE + ".." + Long.MAX_VALUE
                        + "), got 'abc'");
        assertThatThrownBy(() -> ConfigValues.check(Map.of("max.message.bytes", "99999999999"), Cfg.class))
                .hasMessageStartingWith("max.message.bytes: must be a whole number (Integer, ");
        assertThatThrownBy(() -> ConfigValues.check(Map.of("max.message.bytes", 1.5), Cfg.class))
                .hasMessageStartingWith("max.message.bytes: must be a whole number");
        assertThatThrownBy(() -> ConfigValues.check(Map.of("level", "LOUD"), Cfg.class))
                .hasMessage("level: must be one of [WARN, INFO], got 'LOUD'");
        assertThatThrownBy(() -> ConfigValues.check(Map.of("leader.only", List.of("true", "x")), Cfg.class))
                .hasMessage("leader.only: must be true or false, got 'x'");
        InvalidArgumentException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidArgumentException.class,
                () -> ConfigValues.check(Map.of("leader.only", "yes"), Cfg.class));
        assertThat(e.argument()).isEqualTo("leader.only");
    }

    @Test
    void rangesOptionsAndPaths() {
        assertThat(ConfigValues.atLeast("vswitchd.timeout.ms", 1, 1)).isEqualTo(1);
        assertThatThrownBy(() -> ConfigValues.atLeast("vswitchd.timeout.ms", 0, 1))
                .hasMessage("vswitchd.timeout.ms: must be >= 1, got 0");
        assertThatThrownBy(() -> ConfigValues.between("http.port", 70000, 0, 65535))
                .hasMessage("http.port: must be 0..65535, got 70000");
        assertThat(ConfigValues.oneOf("bridge.datapath_type", " netdev ", "", "system", "netdev")).isEqualTo("netdev");
        assertThatThrownBy(() -> ConfigValues.oneOf("bridge.datapath_type", "bogus", "", "system", "netdev"))
                .hasMessage("bridge.datapath_type: must be one of '', 'system', 'netdev', got 'bogus'");
        assertThat(ConfigValues.absolutePath("socket", " /run/x/../a.sock ", false)).isEqualTo(Path.of("/run/a.sock"));
        assertThat(ConfigValues.absolutePath("socket", " ", true)).isNull();
        assertThatThrownBy(() -> ConfigValues.absolutePath("socket", "rel/a.sock", true))
                .hasMessage("socket: must be an absolute path or empty, got 'rel/a.sock'");
        assertThatThrownBy(() -> ConfigValues.absolutePath("docker.socket", "", false))
                .hasMessage("docker.socket: must be an absolute path, got ''");
        assertThatThrownBy(() -> ConfigValues.absolutePath("docker.socket", "/a\0b", false))
                .hasMessageStartingWith("docker.socket: must be an absolute path, got '/a");
        assertThat(ConfigValues.bool("x", " False ")).isFalse();
    }

    @Test
    void dbusAddresses() {
        for (String ok : List.of("system", "session", "unix:path=/run/dbus/system_bus_socket", "unix:abstract=x",
                "tcp:host=127.0.0.1,port=1234", "unix:path=/a;unix:path=/b")) {
            assertThat(ConfigValues.dbusAddress("address", " " + ok)).isEqualTo(ok);
        }
        for (String bad : List.of("", "bogus", "unix:", "unix:path=relative", "unix:path", "foo:path=/x",
                "tcp:host=a,port=x", "tcp:host=a,port=70000")) {
            assertThatThrownBy(() -> ConfigValues.dbusAddress("address", bad)).as(bad)
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageStartingWith("address: must be system, session or a D-Bus address such as "
                            + "unix:path=/run/dbus/system_bus_socket, got '" + bad + "'");
        }
    }
}
