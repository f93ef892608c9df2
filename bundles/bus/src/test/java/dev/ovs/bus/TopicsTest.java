package dev.ovs.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "a|a|true",
        "a|b|false",
        "a.b.c|a.b.c|true",
        "a.b.c|a.b|false",
        "a.b|a.b.c|false",
        "A.b|a.b|false",
        "*|a|true",
        "*|a.b|false",
        "a.*|a.b|true",
        "a.*|a|false",
        "a.*|a.b.c|false",
        "*.b|a.b|true",
        "*.b|a.c|false",
        "a.*.c|a.b.c|true",
        "a.*.c|a.b.d|false",
        "*.*|a.b|true",
        "*.*|a.b.c|false",
        ">|a|true",
        ">|a.b.c|true",
        "a.>|a|false",
        "a.>|a.b|true",
        "a.>|a.b.c.d|true",
        "a.>|b.c|false",
        "a.*.>|a.b|false",
        "a.*.>|a.b.c|true",
        "*.>|a|false",
        "*.>|a.b|true",
        "ovsdb.bridge.*.added|ovsdb.bridge.br0.added|true",
        "ovsdb.bridge.*.added|ovsdb.bridge.br0.removed|false",
        "network.link.eth0%2E100.state|network.link.eth0%2E100.state|true",
        "network.link.*.state|network.link.eth0%2E100.state|true",
        "network.link.eth0.state|network.link.eth0%2E100.state|false",
        "system.bus.health|system.bus.health|true",
        "system.>|system.bundle.dev%2Eovs%2Ebus.started|true",
    })
    void matchingVectors(String pattern, String topic, boolean expected) {
        assertThat(Topics.matches(pattern, topic)).isEqualTo(expected);
        assertThat(Topics.matchTokens(Topics.split(pattern), Topics.split(topic))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a.", ".a", "a..b", "a. .b", " a", "a b", "a\tb", "a\nb", "a\u00A0b", "a\u0001b",
        "*", ">", "a.*", "a.>", "a*", "a.b>", "a.*b", "%", "a%", "a%2", "a%G0", "a%2e", "a.%.b"})
    void invalidTopics(String topic) {
        assertThat(Topics.isValidTopic(topic)).as(topic).isFalse();
        assertThatThrownBy(() -> Topics.checkTopic(topic)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a.b", "A-b_c:d/e", "eth0%2E100", "x%25y", "1.2.3", "ünïcode.tøpic", "a@b.c#d"})
    void validTopics(String topic) {
        assertThat(Topics.checkTopic(topic)).isEqualTo(topic);
        assertThat(Topics.isValidPattern(topic)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a.", ".>", "a..*", ">.a", "a.>.b", "a.>.>", "a*", "*a", "a.b*.c", "a.>b", "a.b>",
        "**", ">>", "*>", "a b", "a.%zz"})
    void invalidPatterns(String pattern) {
        assertThat(Topics.isValidPattern(pattern)).as(pattern).isFalse();
        assertThatThrownBy(() -> Topics.checkPattern(pattern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pattern: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", ">", "a.*", "a.>", "*.*.>", "*.b", "a.*.c.>"})
    void validPatterns(String pattern) {
        assertThat(Topics.checkPattern(pattern)).isEqualTo(pattern);
    }

    @Test
    void errorMessagesNameTheRule() {
        assertThatThrownBy(() -> Topics.checkPattern("a.>.b")).hasMessageContaining("'>' is allowed only as the last token");
        assertThatThrownBy(() -> Topics.checkPattern("a.b*")).hasMessageContaining("must be a whole token");
        assertThatThrownBy(() -> Topics.checkTopic("a.*")).hasMessageContaining("not allowed in a literal topic");
        assertThatThrownBy(() -> Topics.checkTopic("a..b")).hasMessageContaining("empty token");
        assertThatThrownBy(() -> Topics.checkTopic(null)).hasMessage("topic: must not be null");
        assertThatThrownBy(() -> Topics.checkTopic("a b")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> Topics.checkTopic("x".repeat(Topics.MAX_LENGTH + 1))).hasMessageContaining("longer than");
        assertThatThrownBy(() -> Topics.matches("a.>", "a.*")).hasMessageStartingWith("topic: ");
    }

    @Test
    void maxLengthIsInclusive() {
        assertThat(Topics.isValidTopic("x".repeat(Topics.MAX_LENGTH))).isTrue();
    }

    @Test
    void builderEncodesReservedCharacters() {
        assertThat(Topics.of("ovsdb", "bridge", "br-int", "added")).isEqualTo("ovsdb.bridge.br-int.added");
        assertThat(Topics.of("network", "link", "eth0.100", "state")).isEqualTo("network.link.eth0%2E100.state");
        assertThat(Topics.encode("a*b>c%d e\tf")).isEqualTo("a%2Ab%3Ec%25d%20e%09f");
        assertThat(Topics.encode("nb\u00A0sp")).isEqualTo("nb%C2%A0sp");
        assertThat(Topics.encode("*")).isEqualTo("%2A");
        assertThat(Topics.encode(">")).isEqualTo("%3E");
        assertThat(Topics.encode("ünï")).isEqualTo("ünï");
        assertThat(Topics.of("system", "bundle", "dev.ovs.bus", "started"))
                .isEqualTo("system.bundle.dev%2Eovs%2Ebus.started");
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth0.100", "a*b", ">", "*", "%", "%25", "100%", "a b", " lead", "trail ", "tab\there",
        "new\nline", "nb\u00A0sp", "emoji\uD83D\uDE00.x", "plain", "..", "%2E", "ü.ö"})
    void percentEncodingRoundTrip(String name) {
        String token = Topics.encode(name);
        assertThat(Topics.isValidTopic(token)).as(token).isTrue();
        assertThat(Topics.split(token)).hasSize(1);
        assertThat(Topics.decode(token)).isEqualTo(name);
        String topic = Topics.of("x", name, "y");
        assertThat(Topics.names(topic)).containsExactly("x", name, "y");
        assertThat(Topics.matches(Topics.patternOf("x", "*", "y"), topic)).isTrue();
        if (!name.equals("*") && !name.equals(">")) {
            assertThat(Topics.matches(Topics.patternOf("x", name, "y"), topic)).isTrue();
        }
    }

    @Test
    void builderRejectsEmptyAndNullNames() {
        assertThatThrownBy(() -> Topics.of("ovsdb", "", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name: must not be empty (part 1)");
        assertThatThrownBy(() -> Topics.of("ovsdb", null)).hasMessageContaining("name: must not be null");
        assertThatThrownBy(() -> Topics.of()).hasMessageContaining("at least one name");
        assertThatThrownBy(() -> Topics.encode("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void patternBuilderKeepsWildcardsOnlyAsWholeParts() {
        assertThat(Topics.patternOf("ovsdb", "bridge", "*", "added")).isEqualTo("ovsdb.bridge.*.added");
        assertThat(Topics.patternOf("ovsdb", ">")).isEqualTo("ovsdb.>");
        assertThat(Topics.patternOf("a", "b*")).isEqualTo("a.b%2A");
        assertThatThrownBy(() -> Topics.patternOf(">", "a")).hasMessageContaining("'>' must be the last token");
    }

    @Test
    void decodeRejectsBrokenEscapes() {
        assertThatThrownBy(() -> Topics.decode("a%2")).hasMessageContaining("two hex digits");
        assertThatThrownBy(() -> Topics.decode("a%zz")).hasMessageContaining("two hex digits");
        assertThatThrownBy(() -> Topics.decode("%FF")).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> Topics.decode("a.b")).hasMessageContaining("single token");
        assertThat(Topics.names("a.b%2Ec")).isEqualTo(List.of("a", "b.c"));
    }
}
