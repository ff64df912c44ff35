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
    /** Bits of {@link #framing()}: which of the fields the server writes itself are present. */
    static final int CONTENT_LENGTH = 1;
    static final int TRANSFER_ENCODING = 2;
    static final int CONNECTION = 4;
    static final int DATE = 8;

    private final ArrayList<String> fields;   // name, value, name, value ...
    private final boolean readOnly;

    /** An empty, writable set of fields. */
    public HttpHeaders() {
        this(false, new ArrayList<>(8));   // a response's usual four fields or fewer, without growing
    }

    private HttpHeaders(boolean readOnly, ArrayList<String> fields) {
        this.readOnly = readOnly;
        this.fields = fields;
    }

    /**
     * Read-only fields straight from the parser, which has checked them: one copy of exactly their
     * size, so the parser may reuse its list for the next request.
     */
    static HttpHeaders parsed(List<String> namesAndValues) {
        return new HttpHeaders(true, new ArrayList<>(namesAndValues));
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
            int from = start;
            while (from < end && list.charAt(from) <= ' ') {   // what String.trim drops, without the copy
                from++;
            }
            int to = end;
            while (to > from && list.charAt(to - 1) <= ' ') {
                to--;
            }
            if (to - from == token.length() && list.regionMatches(true, from, token, 0, token.length())) {
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

    /**
     * Adds a field the server itself made, known to be valid: no checks, no scan for an earlier
     * one. The caller removes any earlier field of the name when there may be one.
     */
    HttpHeaders addTrusted(String name, String value) {
        fields.add(name);
        fields.add(value);
        return this;
    }

    /**
     * One pass over the fields: which of Content-Length, Transfer-Encoding, Connection and Date
     * are present, as the bits above. The response's head is framed from this rather than from a
     * scan per name.
     */
    int framing() {
        int found = 0;
        for (int i = 0; i < fields.size(); i += 2) {
            String n = fields.get(i);
            switch (n.length()) {
                case 14 -> found |= n.equalsIgnoreCase("Content-Length") ? CONTENT_LENGTH : 0;
                case 17 -> found |= n.equalsIgnoreCase("Transfer-Encoding") ? TRANSFER_ENCODING : 0;
                case 10 -> found |= n.equalsIgnoreCase("Connection") ? CONNECTION : 0;
                case 4 -> found |= n.equalsIgnoreCase("Date") ? DATE : 0;
                default -> { }
            }
        }
        return found;
    }

    /** Whether {@code name} is here exactly once, with the decimal {@code value} (>= 0) as its value. */
    boolean holdsOnly(String name, long value) {
        int found = -1;
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                if (found >= 0) {
                    return false;
                }
                found = i + 1;
            }
        }
        if (found < 0) {
            return false;
        }
        String v = fields.get(found);
        long n = value;
        int i = v.length();
        do {
            if (--i < 0 || v.charAt(i) != '0' + (int) (n % 10)) {
                return false;
            }
            n /= 10;
        } while (n > 0);
        return i == 0;
    }

    /** The bytes {@link #writeTo} appends. */
    int byteLength() {
        int n = 0;
        for (int i = 0; i < fields.size(); i++) {
            n += fields.get(i).length() + 2;   // ": " after a name, CRLF after a value
        }
        return n;
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

    /** Whether {@code s} is a non-empty RFC 9110 token. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
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
