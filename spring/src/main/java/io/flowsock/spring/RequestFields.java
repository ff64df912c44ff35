package io.flowsock.spring;

import io.flowsock.http.HttpHeaders;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.MultiValueMap;

/**
 * A flowsock request's header fields as the {@code MultiValueMap} behind Spring's
 * {@link org.springframework.http.HttpHeaders}: a read-only view, not a copy. Lookups, which are
 * what a request's handling does (Content-Type, Accept, Host), scan flowsock's field list and
 * allocate only the list they return; iterating (a {@code mutate()} of the request, logging)
 * makes Spring's case-insensitive map once, on first use. Copying every field into that map for
 * every request cost the WebFlux server about 1 KiB of allocation per request more than Reactor
 * Netty's, whose adapter is a view of Netty's headers (docs/benchmarks.md).
 *
 * <p>Spring hands request headers out read-only; here every change fails too.
 */
final class RequestFields extends AbstractMap<String, List<String>> implements MultiValueMap<String, String> {
    private final HttpHeaders fields;
    private Map<String, List<String>> copy;   // made by the first iteration; request handling is one thread at a time

    RequestFields(HttpHeaders fields) {
        this.fields = fields;
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
        return copy().size();
    }

    @Override
    public Set<Entry<String, List<String>>> entrySet() {
        return copy().entrySet();
    }

    private Map<String, List<String>> copy() {
        if (copy == null) {
            LinkedCaseInsensitiveMap<List<String>> m = new LinkedCaseInsensitiveMap<>(8, Locale.ROOT);
            fields.forEach((name, value) -> m.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value));
            m.replaceAll((name, values) -> Collections.unmodifiableList(values));
            copy = Collections.unmodifiableMap(m);
        }
        return copy;
    }

    @Override
    public Map<String, String> toSingleValueMap() {
        LinkedCaseInsensitiveMap<String> m = new LinkedCaseInsensitiveMap<>(8, Locale.ROOT);
        fields.forEach(m::putIfAbsent);
        return m;
    }

    // ---- read-only ----

    @Override
    public void add(String key, String value) {
        throw readOnly();
    }

    @Override
    public void addAll(String key, List<? extends String> values) {
        throw readOnly();
    }

    @Override
    public void addAll(MultiValueMap<String, String> values) {
        throw readOnly();
    }

    @Override
    public void set(String key, String value) {
        throw readOnly();
    }

    @Override
    public void setAll(Map<String, String> values) {
        throw readOnly();
    }

    @Override
    public List<String> put(String key, List<String> value) {
        throw readOnly();
    }

    @Override
    public List<String> remove(Object key) {
        throw readOnly();
    }

    @Override
    public void clear() {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("a request's header fields are read-only");
    }

    @Override
    public String toString() {
        return Objects.toString(copy());
    }
}
