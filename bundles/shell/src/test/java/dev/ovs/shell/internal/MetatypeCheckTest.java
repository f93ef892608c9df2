package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Values checked against attribute definitions: existence, cardinality, type, options, the definition's own rule. */
class MetatypeCheckTest {
    /** An attribute definition whose validate() rejects values above {@code max} as Felix's does. */
    record Ad(String id, int type, int cardinality, String[] options, long max) implements AttributeDefinition {
        @Override
        public String getName() {
            return id;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "test attribute";
        }

        @Override
        public int getCardinality() {
            return cardinality;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return options;
        }

        @Override
        public String[] getOptionLabels() {
            return options;
        }

        @Override
        public String validate(String value) {
            return type == INTEGER && Long.parseLong(value.trim()) > max ? "greater than maximum" : "";
        }

        @Override
        public String[] getDefaultValue() {
            return null;
        }
    }

    private static final ObjectClassDefinition OCD = new ObjectClassDefinition() {
        @Override
        public String getName() {
            return "test";
        }

        @Override
        public String getID() {
            return "test.ocd";
        }

        @Override
        public String getDescription() {
            return null;
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return new AttributeDefinition[] {new Ad("size", AttributeDefinition.INTEGER, 0, null, 100),
                new Ad("level", AttributeDefinition.STRING, 0, new String[] {"WARN", "INFO"}, 0),
                new Ad("on", AttributeDefinition.BOOLEAN, 0, null, 0),
                new Ad("list", AttributeDefinition.STRING, 5, null, 0)};
        }

        @Override
        public InputStream getIcon(int size) {
            return null;
        }
    };

    @Test
    void goodValuesPass() {
        assertThatCode(() -> MetatypeCheck.check(MetatypeCheck.attribute(OCD, "dev.ovs.x", "size"), "42"))
                .doesNotThrowAnyException();
        assertThatCode(() -> MetatypeCheck.check(MetatypeCheck.attribute(OCD, "dev.ovs.x", "level"), "INFO"))
                .doesNotThrowAnyException();
        assertThatCode(() -> MetatypeCheck.check(MetatypeCheck.attribute(OCD, "dev.ovs.x", "on"), "FALSE"))
                .doesNotThrowAnyException();
    }

    @Test
    void eachRuleFailsWithTheKeyAndTheRule() {
        assertThatThrownBy(() -> MetatypeCheck.attribute(OCD, "dev.ovs.x", "nope"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("nope: is not an attribute of dev.ovs.x (metatype attributes: level, list, on, size)");
        assertThatThrownBy(() -> check("size", "ten")).hasMessage(
                "size: must be an Integer (-2147483648..2147483647), got 'ten'");
        assertThatThrownBy(() -> check("size", "101"))
                .hasMessage("size: '101' is rejected by the metatype: greater than maximum (test attribute)");
        assertThatThrownBy(() -> check("level", "DEBUG")).hasMessage("level: must be one of WARN, INFO, got 'DEBUG'");
        assertThatThrownBy(() -> check("on", "yes")).hasMessage("on: must be a Boolean (true or false), got 'yes'");
        assertThatThrownBy(() -> check("list", "a,b")).hasMessage(
                "list: is multi-valued (cardinality 5); config:set writes single values only: edit the .cfg file");
    }

    private static void check(String key, String value) {
        MetatypeCheck.check(MetatypeCheck.attribute(OCD, "dev.ovs.x", key), value);
    }
}
