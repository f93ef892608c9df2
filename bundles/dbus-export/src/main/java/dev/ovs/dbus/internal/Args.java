package dev.ovs.dbus.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.freedesktop.dbus.types.Variant;

/**
 * The ledger's text of call arguments and results: strings as they are; numbers and other scalars with
 * {@code toString()}; a {@code Variant} as its value; a map as {@code {k=v, ...}} sorted by key; a list or array as
 * {@code [a, b]}; a byte array as {@code <N bytes>}. Every text is cut to {@value #MAX} characters (then ends with
 * {@code … (<length> chars)}).
 */
final class Args {
    /** Longest text kept per argument, in characters. */
    static final int MAX = 4096;

    private Args() {
    }

    /**
     * @param names the parameter names (Java's: {@code arg0}, ... unless the interface was compiled with
     *              {@code -parameters})
     * @param args  the values (null for none)
     * @return name → text, in parameter order
     */
    static Map<String, String> summarize(List<String> names, Object[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null) {
            return out;
        }
        for (int i = 0; i < args.length; i++) {
            out.put(i < names.size() ? names.get(i) : "arg" + i, text(args[i]));
        }
        return out;
    }

    /**
     * @param v a value
     * @return its text, at most {@value #MAX} characters plus the cut note; empty for null
     */
    static String text(Object v) {
        String s = raw(v, 0);
        return s.length() <= MAX ? s : s.substring(0, MAX) + "… (" + s.length() + " chars)";
    }

    private static String raw(Object v, int depth) {
        if (v == null) {
            return "";
        }
        if (depth > 8) {
            return "…";
        }
        if (v instanceof Variant<?> x) {
            return raw(x.getValue(), depth + 1);
        }
        if (v instanceof byte[] b) {
            return "<" + b.length + " bytes>";
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, String> sorted = new TreeMap<>();
            m.forEach((k, val) -> sorted.put(raw(k, depth + 1), raw(val, depth + 1)));
            StringBuilder b = new StringBuilder("{");
            sorted.forEach((k, val) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(val));
            return b.append('}').toString();
        }
        Collection<?> items = null;
        if (v instanceof Collection<?> c) {
            items = c;
        } else if (v.getClass().isArray()) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                l.add(Array.get(v, i));
            }
            items = l;
        }
        if (items != null) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : items) {
                b.append(b.length() > 1 ? ", " : "").append(raw(o, depth + 1));
                if (b.length() > MAX) {
                    break;
                }
            }
            return b.append(']').toString();
        }
        return String.valueOf(v);
    }
}
