package io.flowsock.spring;

import io.flowsock.http.HttpServerRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;

/**
 * A flowsock request as Spring's {@code ServerHttpRequest}. Spring's {@link HttpHeaders} are a
 * read-only view of flowsock's field list ({@link HeaderFields}), not a copy.
 */
final class FlowsockServerHttpRequest extends AbstractServerHttpRequest {
    private final HttpServerRequest request;
    private final DataBufferFactory buffers;

    FlowsockServerHttpRequest(HttpServerRequest request, DataBufferFactory buffers) throws URISyntaxException {
        super(HttpMethod.valueOf(request.method()), uri(request), "", headers(request));
        this.request = request;
        this.buffers = buffers;
    }

    private static URI uri(HttpServerRequest request) throws URISyntaxException {
        String target = request.uri();
        if (!target.startsWith("/")) {
            return new URI(target);   // absolute form (or "*", which no Spring handler maps)
        }
        String scheme = request.tlsSession().isPresent() ? "https" : "http";
        String authority = request.header("Host").filter(h -> !h.isEmpty())
                .orElseGet(() -> authority(request.localAddress()));
        return new URI(scheme + "://" + authority + target);
    }

    private static String authority(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static HttpHeaders headers(HttpServerRequest request) {
        return new HttpHeaders(new HeaderFields(request.headers()));
    }

    @Override
    protected MultiValueMap<String, HttpCookie> initCookies() {
        MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
        for (String line : request.headers().getAll("Cookie")) {
            CookieHeader.parse(line, (name, value) -> cookies.add(name, new HttpCookie(name, value)));
        }
        return cookies;
    }

    @Override
    protected SslInfo initSslInfo() {
        return request.tlsSession().map(FlowsockServerHttpRequest::sslInfo).orElse(null);
    }

    private static SslInfo sslInfo(SSLSession session) {
        String id = HexFormat.of().formatHex(session.getId());
        List<X509Certificate> peers = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    peers.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate: an empty chain
        }
        return SslInfo.from(id, peers.toArray(new X509Certificate[0]));
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return request.remoteAddress();
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return request.localAddress();
    }

    @Override
    public Flux<DataBuffer> getBody() {
        return request.receive().map(buffers::wrap);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) request;
    }
}
