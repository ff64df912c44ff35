package io.flowsock.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * HTTP header fields in the order they were added; names compare case-insensitively.
 *
 * <p><b>Threading.</b> Not thread-safe: a request's headers are read-only once the handler sees
 * them; a response's are written by its handler before the response is committed.
 *
 * <p><b>Validation.</b> A name must be an RFC 9110 token and a value must hold no CR, LF or NUL,
 * so nothing a handler copies from a request into a response can split it.
 */
public final class HttpHeaders {
    private final ArrayList<String> fields = new ArrayList<>(16);   // name, value, name, value ...
    private final boolean readOnly;

    /** An empty, writable set of fields. */
    public HttpHeaders() {
        this(false);
    }

    HttpHeaders(boolean readOnly) {
        this.readOnly = readOnly;
    }

    /** Read-only fields straight from the parser, which has checked them. */
    static HttpHeaders parsed(List<String> namesAndValues) {
        HttpHeaders h = new HttpHeaders(true);
        h.fields.addAll(namesAndValues);
        return h;
    }

    /** The first value of {@code name}. */
    public Optional<String> get(String name) {
        Objects.requireNonNull(name, "name");
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                return Optional.of(fields.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, in order; empty when there is none. */
    public List<String> getAll(String name) {
        Objects.requireNonNull(name, "name");
        List<String> values = null;
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(fields.get(i + 1));
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    public boolean contains(String name) {
        return get(name).isPresent();
    }

    /**
     * Whether any value of {@code name}, read as a comma-separated list, holds {@code token}
     * (case-insensitively): {@code containsToken("Connection", "close")}.
     */
    public boolean containsToken(String name, String token) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(token, "token");
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name) && hasToken(fields.get(i + 1), token)) {
                return true;
            }
        }
        return false;
    }

    static boolean hasToken(String list, String token) {
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            if (list.substring(start, end).trim().equalsIgnoreCase(token)) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
        }
        return false;
    }

    /** The distinct names, as first spelled, in order. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < fields.size(); i += 2) {
            names.add(fields.get(i));
        }
        return Collections.unmodifiableSet(names);
    }

    /** Number of fields (a name given twice counts twice). */
    public int size() {
        return fields.size() / 2;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** Calls {@code action} with each field's name and value, in order. */
    public void forEach(BiConsumer<? super String, ? super String> action) {
        Objects.requireNonNull(action, "action");
        for (int i = 0; i < fields.size(); i += 2) {
            action.accept(fields.get(i), fields.get(i + 1));
        }
    }

    /** Replaces every field called {@code name} with one holding {@code value}. */
    public HttpHeaders set(String name, Object value) {
        String v = checkValue(checkName(name), value);
        writable();
        remove(name);
        fields.add(name);
        fields.add(v);
        return this;
    }

    /** Adds a field, keeping those of the same name. */
    public HttpHeaders add(String name, Object value) {
        String v = checkValue(checkName(name), value);
        writable();
        fields.add(name);
        fields.add(v);
        return this;
    }

    /** Removes every field called {@code name}; true when there was one. */
    public boolean remove(String name) {
        Objects.requireNonNull(name, "name");
        writable();
        boolean removed = false;
        for (int i = fields.size() - 2; i >= 0; i -= 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                fields.remove(i + 1);
                fields.remove(i);
                removed = true;
            }
        }
        return removed;
    }

    /** Appends "name: value\r\n" for each field. */
    void writeTo(Ascii out) {
        for (int i = 0; i < fields.size(); i += 2) {
            out.append(fields.get(i)).append(": ").append(fields.get(i + 1)).crlf();
        }
    }

    private void writable() {
        if (readOnly) {
            throw new UnsupportedOperationException("a request's headers are read-only");
        }
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a header name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException("header name \"" + name + "\" holds '" + printable(name.charAt(i))
                        + "' at " + i + ", which is not a token character (RFC 9110, 5.6.2)");
            }
        }
        return name;
    }

    static String checkValue(String name, Object value) {
        Objects.requireNonNull(value, () -> "value of header " + name);
        String v = value.toString();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw new IllegalArgumentException("value of header " + name + " holds '" + printable(c) + "' at " + i
                        + ": CR, LF, NUL and characters above U+00FF cannot be sent in a header");
            }
        }
        return v.trim();
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("HttpHeaders[");
        forEach((n, v) -> s.append(s.length() > 12 ? ", " : "").append(n).append(": ").append(v));
        return s.append(']').toString();
    }
}
