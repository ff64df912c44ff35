package io.flowsock.spring;

import io.flowsock.http.HttpHeaders;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.MultiValueMap;

/**
 * flowsock's header fields as the {@code MultiValueMap} behind Spring's
 * {@link org.springframework.http.HttpHeaders}: a view of flowsock's field list, not a copy, for
 * a request (read-only, as flowsock's request fields are) and for a response (written straight
 * into the fields flowsock sends, checked as {@link HttpHeaders} checks every field: no CR/LF, so
 * no response splitting). Names compare case-insensitively; a lookup scans the list and allocates
 * only the list it returns, a snapshot of the values, as Reactor Netty's view of Netty's headers
 * returns. Copying every field into Spring's case-insensitive map, per request and again per
 * response at commit, cost the WebFlux server allocation and CPU per request that Reactor Netty's
 * view does not pay (docs/benchmarks.md).
 *
 * <p>Confined to the exchange's handling, one thread at a time, as Spring's own map is.
 */
final class HeaderFields extends AbstractMap<String, List<String>> implements MultiValueMap<String, String> {
    private final HttpHeaders fields;

    HeaderFields(HttpHeaders fields) {
        this.fields = Objects.requireNonNull(fields, "fields");
    }

    @Override
    public List<String> get(Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        List<String> values = fields.getAll(name);
        return values.isEmpty() ? null : values;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String name && fields.contains(name);
    }

    @Override
    public String getFirst(String key) {
        return fields.get(key).orElse(null);
    }

    @Override
    public boolean isEmpty() {
        return fields.isEmpty();
    }

    @Override
    public int size() {
        return names().size();
    }

    /** The distinct names, case-insensitively, each as first spelled, in order. */
    private List<String> names() {
        List<String> names = new ArrayList<>(fields.size());
        fields.forEach((name, value) -> {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equalsIgnoreCase(name)) {
                    return;
                }
            }
            names.add(name);
        });
        return names;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super List<String>> action) {
        for (String name : names()) {
            action.accept(name, fields.getAll(name));
        }
    }

    @Override
    public Set<Entry<String, List<String>>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return HeaderFields.this.size();
            }

            @Override
            public Iterator<Entry<String, List<String>>> iterator() {
                Iterator<String> names = names().iterator();
                return new Iterator<>() {
                    private String last;

                    @Override
                    public boolean hasNext() {
                        return names.hasNext();
                    }

                    @Override
                    public Entry<String, List<String>> next() {
                        if (!names.hasNext()) {
                            throw new NoSuchElementException();
                        }
                        last = names.next();
                        return new Field(last, fields.getAll(last));
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException("next() first");
                        }
                        fields.remove(last);
                        last = null;
                    }
                };
            }
        };
    }

    /** An entry whose {@code setValue} replaces the fields of its name. */
    private final class Field extends SimpleEntry<String, List<String>> {
        Field(String name, List<String> values) {
            super(name, values);
        }

        @Override
        public List<String> setValue(List<String> values) {
            put(getKey(), values);
            return super.setValue(List.copyOf(values));
        }
    }

    @Override
    public Map<String, String> toSingleValueMap() {
        LinkedCaseInsensitiveMap<String> m = new LinkedCaseInsensitiveMap<>(8, Locale.ROOT);
        fields.forEach(m::putIfAbsent);
        return m;
    }

    // ---- changes: a request's fields refuse them (UnsupportedOperationException) ----

    @Override
    public void add(String key, String value) {
        fields.add(key, value);
    }

    @Override
    public void addAll(String key, List<? extends String> values) {
        for (String value : values) {
            fields.add(key, value);
        }
    }

    @Override
    public void addAll(MultiValueMap<String, String> values) {
        values.forEach(this::addAll);
    }

    @Override
    public void set(String key, String value) {
        fields.set(key, value);
    }

    @Override
    public void setAll(Map<String, String> values) {
        values.forEach(fields::set);
    }

    @Override
    public List<String> put(String key, List<String> values) {
        List<String> old = get(key);
        fields.remove(key);
        addAll(key, values);
        return old;
    }

    @Override
    public List<String> remove(Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        List<String> old = get(name);
        fields.remove(name);
        return old;
    }

    @Override
    public void clear() {
        for (String name : names()) {
            fields.remove(name);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        forEach((name, values) -> s.append(s.length() > 1 ? ", " : "").append(name).append(':').append(values));
        return s.append(']').toString();
    }
}
