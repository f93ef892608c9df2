package dev.ovs.shell.internal;

import dev.ovs.base.InvalidArgumentException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Edits one key of a Felix fileinstall {@code .cfg} file (java.util.Properties syntax, read by fileinstall's
 * TypedProperties) and replaces the file atomically: the new content goes to a temporary file in the same
 * directory ({@code .NAME.tmp-RANDOM}, which fileinstall's {@code .*\.cfg} filter never matches), is forced to
 * disk and renamed over the old file ({@code rename(2)}: readers see the old or the new file, never a mix).
 * Every other line (comments, blank lines, other keys, their order) is kept; the key's last assignment is
 * replaced, or a line is appended if the key is absent. The file keeps its permissions (new files: 0644).
 */
final class CfgFile {
    private CfgFile() {
    }

    /**
     * Sets {@code key=value} in {@code file} (created with its directory if absent).
     *
     * @param file  the {@code .cfg} file
     * @param key   the property key: 1..200 characters of {@code [A-Za-z0-9._-]}
     * @param value the value: any text without control characters; written escaped (backslash, leading
     *              space, non-ASCII as {@code \}{@code uXXXX}), so the file reads back as exactly this value
     * @return the new content of the file
     * @throws InvalidArgumentException if key or value break the rules above (nothing is written)
     * @throws IOException              if the file cannot be read or replaced (the old file stays as it was)
     */
    static String set(Path file, String key, String value) throws IOException {
        checkKey(key);
        String line = escapeKey(key) + "=" + escapeValue(value);
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
        List<String> out = new ArrayList<>(lines.size() + 1);
        int last = -1;
        int lastEnd = -1;
        for (int i = 0; i < lines.size(); i++) {
            int end = logicalLineEnd(lines, i);
            if (key.equals(keyOf(lines.get(i)))) {
                last = i;
                lastEnd = end;
            }
            i = end;
        }
        for (int i = 0; i < lines.size(); i++) {
            if (i == last) {
                out.add(line);
                i = lastEnd;
            } else {
                out.add(lines.get(i));
            }
        }
        if (last < 0) {
            out.add(line);
        }
        String content = String.join("\n", out) + "\n";
        replace(file, content);
        return content;
    }

    /**
     * @param lines the file's lines
     * @param i     index of a line that starts a logical line
     * @return index of the last physical line of that logical line (a line ending in an odd number of backslashes
     *         continues on the next one; comments never continue)
     */
    private static int logicalLineEnd(List<String> lines, int i) {
        String first = lines.get(i).stripLeading();
        if (first.startsWith("#") || first.startsWith("!")) {
            return i;
        }
        int j = i;
        while (j < lines.size() - 1 && endsInOddBackslashes(lines.get(j))) {
            j++;
        }
        return j;
    }

    private static boolean endsInOddBackslashes(String s) {
        int n = 0;
        for (int k = s.length() - 1; k >= 0 && s.charAt(k) == '\\'; k--) {
            n++;
        }
        return n % 2 == 1;
    }

    /** @return the (unescaped) key a line assigns, or null for comments and blank lines */
    static String keyOf(String rawLine) {
        String s = rawLine.stripLeading();
        if (s.isEmpty() || s.startsWith("#") || s.startsWith("!")) {
            return null;
        }
        StringBuilder k = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                k.append(s.charAt(++i));
            } else if (c == '=' || c == ':' || Character.isWhitespace(c)) {
                break;
            } else {
                k.append(c);
            }
        }
        return k.toString();
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 200 || !key.matches("[A-Za-z0-9._-]+")) {
            throw new InvalidArgumentException("key", "must be 1..200 characters of [A-Za-z0-9._-], got '" + key + "'");
        }
    }

    private static String escapeKey(String key) {
        return key; // checkKey allows no character that needs escaping
    }

    /**
     * @param value a value
     * @return the value in java.util.Properties syntax, ASCII only
     * @throws InvalidArgumentException if the value has control characters
     */
    static String escapeValue(String value) {
        if (value == null) {
            throw new InvalidArgumentException("value", "must not be null");
        }
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidArgumentException("value", "must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c == ' ' && sb.length() == 0) {
                sb.append("\\ "); // a leading space would be taken as the separator's whitespace
            } else if (c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void replace(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Set<PosixFilePermission> mode = Files.exists(file) ? Files.getPosixFilePermissions(file)
                : PosixFilePermissions.fromString("rw-r--r--");
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.ISO_8859_1)));
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, mode);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
