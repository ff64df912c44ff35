package io.flowsock.spring;

import io.flowsock.http.HttpClientResponse;
import java.util.List;
import java.util.Locale;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.AbstractClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * A flowsock response as Spring's {@code ClientHttpResponse}: header fields copied once (as on the
 * server side), cookies parsed from Set-Cookie, the body's buffers wrapped without a copy.
 */
final class FlowsockClientHttpResponse extends AbstractClientHttpResponse {
    private final HttpClientResponse response;

    FlowsockClientHttpResponse(HttpClientResponse response) {
        super(HttpStatusCode.valueOf(response.status()), headers(response), cookies(response),
                response.body().map(DefaultDataBufferFactory.sharedInstance::wrap));
        this.response = response;
    }

    private static HttpHeaders headers(HttpClientResponse response) {
        HttpHeaders headers = new HttpHeaders();
        response.headers().forEach(headers::add);
        return headers;
    }

    private static MultiValueMap<String, ResponseCookie> cookies(HttpClientResponse response) {
        MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
        for (String line : response.headers().getAll("Set-Cookie")) {
            List<java.net.HttpCookie> parsed;
            try {
                parsed = java.net.HttpCookie.parse("Set-Cookie: " + line);
            } catch (IllegalArgumentException e) {
                continue;   // a malformed cookie is ignored, as RFC 6265, 5.2 has user agents do
            }
            for (java.net.HttpCookie c : parsed) {
                cookies.add(c.getName(), ResponseCookie.fromClientResponse(c.getName(), c.getValue())
                        .domain(c.getDomain()).path(c.getPath()).maxAge(c.getMaxAge())
                        .secure(c.getSecure()).httpOnly(c.isHttpOnly()).sameSite(sameSite(line)).build());
            }
        }
        return cookies;
    }

    /** The SameSite attribute, which the JDK's cookie parser does not know; null when absent. */
    private static String sameSite(String line) {
        for (String attribute : line.split(";")) {
            int eq = attribute.indexOf('=');
            if (eq > 0 && attribute.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("samesite")) {
                return attribute.substring(eq + 1).trim();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return response.toString();
    }
}
