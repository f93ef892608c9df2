package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusError;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Constructor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts the name of a {@link DbusError} on the wire. dbus-java 5.2.0 names the error reply of a method after
 * the binary class name of the exception it threw ({@code org.freedesktop.dbus.messages.Error}: class name with
 * {@code '$'} as {@code '.'}; {@code DBusExecutionException#setType} is empty), so for each error name this
 * class defines, once, a class of exactly that name:
 *
 * <pre>
 * public final class &lt;error name&gt; extends dev.ovs.dbus.DbusError {
 *     public &lt;init&gt;(String errorName, String message) { super(errorName, message); }
 * }
 * </pre>
 *
 * and {@link #onWire(DbusError)} returns an instance of it with the same name, message, cause and stack trace.
 * The classes live in a class loader owned by this object (child of the loader of {@link DbusError}), so they
 * go away with the exporter that uses them (a bundle update leaves none behind). The class file is written by
 * hand: one constructor without branches, Java 17 class file version 61.0 (JVMS §4.1, §4.4, §4.7.3; no
 * {@code StackMapTable} is needed without branch targets, §4.7.4).
 */
final class WireErrors {
    private static final System.Logger LOG = System.getLogger(WireErrors.class.getName());
    private static final String SUPER = DbusError.class.getName().replace('.', '/');
    private static final String INIT_DESCRIPTOR = "(Ljava/lang/String;Ljava/lang/String;)V";

    /** The loader of the generated classes. */
    private static final class Loader extends ClassLoader {
        Loader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String name, byte[] b) {
            return defineClass(name, b, 0, b.length);
        }
    }

    private final Loader loader = new Loader(DbusError.class.getClassLoader());
    private final Map<String, Constructor<? extends DbusError>> constructors = new ConcurrentHashMap<>();

    /**
     * @param e an error, not null
     * @return an error of the same name, message, cause and stack trace whose class name is
     *         {@link DbusError#errorName()}; {@code e} itself if it already is one, or if no class of that name can
     *         be defined (logged; the caller then sees {@code dev.ovs.dbus.DbusError})
     */
    DbusError onWire(DbusError e) {
        String name = e.errorName();
        if (e.getClass().getName().equals(name)) {
            return e;
        }
        Constructor<? extends DbusError> c;
        try {
            c = constructors.computeIfAbsent(name, this::define);
        } catch (RuntimeException | LinkageError ex) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: cannot define an error class named " + name + ": " + ex);
            return e;
        }
        try {
            DbusError w = c.newInstance(name, e.getMessage());
            if (e.getCause() != null) {
                w.initCause(e.getCause());
            }
            w.setStackTrace(e.getStackTrace());
            return w;
        } catch (ReflectiveOperationException ex) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: cannot create error " + name + ": " + ex);
            return e;
        }
    }

    /** @return how many error classes this object has defined (tests) */
    int definedClasses() {
        return constructors.size();
    }

    private Constructor<? extends DbusError> define(String name) {
        Class<?> k;
        synchronized (loader) {
            k = loader.define(name, classFile(name.replace('.', '/')));
        }
        try {
            return k.asSubclass(DbusError.class).getConstructor(String.class, String.class);
        } catch (NoSuchMethodException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The class file of {@code public final class <internalName> extends DbusError} with the one constructor. */
    static byte[] classFile(String internalName) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0); // minor_version
            out.writeShort(61); // major_version: Java 17
            // constant pool (JVMS 4.4), entries 1..9
            out.writeShort(10);
            utf8(out, internalName); // #1
            out.writeByte(7); // #2 CONSTANT_Class -> #1
            out.writeShort(1);
            utf8(out, SUPER); // #3
            out.writeByte(7); // #4 CONSTANT_Class -> #3
            out.writeShort(3);
            utf8(out, "<init>"); // #5
            utf8(out, INIT_DESCRIPTOR); // #6
            out.writeByte(12); // #7 CONSTANT_NameAndType #5 #6
            out.writeShort(5);
            out.writeShort(6);
            out.writeByte(10); // #8 CONSTANT_Methodref #4 #7
            out.writeShort(4);
            out.writeShort(7);
            utf8(out, "Code"); // #9
            out.writeShort(0x0001 | 0x0010 | 0x0020); // ACC_PUBLIC | ACC_FINAL | ACC_SUPER
            out.writeShort(2); // this_class
            out.writeShort(4); // super_class
            out.writeShort(0); // interfaces_count
            out.writeShort(0); // fields_count
            out.writeShort(1); // methods_count
            out.writeShort(0x0001); // ACC_PUBLIC
            out.writeShort(5); // <init>
            out.writeShort(6); // (String, String)void
            out.writeShort(1); // attributes_count
            byte[] code = {
                0x2a, // aload_0
                0x2b, // aload_1
                0x2c, // aload_2
                (byte) 0xb7, 0x00, 0x08, // invokespecial #8 DbusError.<init>(String, String)
                (byte) 0xb1 // return
            };
            out.writeShort(9); // "Code" (JVMS 4.7.3)
            out.writeInt(2 + 2 + 4 + code.length + 2 + 2);
            out.writeShort(3); // max_stack
            out.writeShort(3); // max_locals
            out.writeInt(code.length);
            out.write(code);
            out.writeShort(0); // exception_table_length
            out.writeShort(0); // attributes_count
            out.writeShort(0); // class attributes_count
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void utf8(DataOutputStream out, String s) throws IOException {
        out.writeByte(1); // CONSTANT_Utf8 (modified UTF-8, as writeUTF writes it)
        out.writeUTF(s);
    }
}
