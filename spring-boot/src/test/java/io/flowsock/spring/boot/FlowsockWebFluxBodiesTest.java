package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;

/** Forms, multipart uploads and OPTIONS through WebFlux on flowsock, over a real port. */
@SpringBootTest(classes = WebFluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockWebFluxBodiesTest {
    @LocalServerPort
    int port;

    WebTestClient client;

    @BeforeEach
    void client() {
        client = Clients.webTestClient(port);
    }

    private static MultiValueMap<String, String> form() {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("item", "tea & biscuits");
        form.add("quantity", "3");
        form.add("notes", "ünïcode = fine");
        form.add("notes", "100% sure");
        return form;
    }

    @Test
    void anUrlencodedFormArrivesDecodedWithRepeatedFieldsInOrder() {
        client.post().uri("/form").body(BodyInserters.fromFormData(form())).exchange()
                .expectStatus().isOk()
                .expectBody(String.class)
                .isEqualTo("{item=[tea & biscuits], notes=[ünïcode = fine, 100% sure], quantity=[3]}");
    }

    @Test
    void anUrlencodedFormBindsOntoARecord() {
        client.post().uri("/order").body(BodyInserters.fromFormData(form())).exchange()
                .expectStatus().isOk()
                .expectBody(BodyEndpoints.Order.class)
                .isEqualTo(new BodyEndpoints.Order("tea & biscuits", 3, java.util.List.of("ünïcode = fine", "100% sure")));
    }

    @Test
    void aFunctionalRouteReadsTheFormThroughServerRequest() {
        // the bytes exactly as a browser sends them: '+' for a space, a percent-encoded UTF-8 letter
        client.post().uri("/fn/form").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("a=1&b=two+words&a=%C3%A9&empty=").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("functional {a=[1, é], b=[two words], empty=[]}");
    }

    @Test
    void aMultipartUploadArrivesAsPartsWithTheirSizesAndContents() throws Exception {
        // larger than Spring's 256 KiB in-memory limit for a part, so the file part goes through
        // its temporary file, and over many TCP reads
        byte[] file = new byte[3 * 1024 * 1024 + 13];
        new Random(3).nextBytes(file);
        byte[] field = "hello, parts".getBytes(StandardCharsets.UTF_8);
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("note", "hello, parts");
        parts.part("upload", new ByteArrayResource(file) {
            @Override
            public String getFilename() {
                return "data.bin";
            }
        }).contentType(MediaType.APPLICATION_OCTET_STREAM);

        client.post().uri("/parts").body(BodyInserters.fromMultipartData(parts.build())).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo(
                        "note " + field.length + " " + sha256(field) + "\n"
                        + "upload file data.bin " + file.length + " " + sha256(file) + "\n");
    }

    @Test
    void optionsListsTheMethodsOfAResource() {
        client.options().uri("/resource").exchange()
                .expectStatus().isOk()
                .expectHeader().value("Allow", allow -> assertThat(allow.split(",\\s*"))
                        .containsExactlyInAnyOrder("GET", "HEAD", "PUT", "OPTIONS"))
                .expectBody().isEmpty();
    }

    @Test
    void aCorsPreflightIsAnsweredForTheAllowedOriginAndRefusedForAnother() {
        client.method(HttpMethod.OPTIONS).uri("/resource")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.example")
                .expectHeader().value("Access-Control-Allow-Methods", m -> assertThat(m).contains("GET"));
        client.method(HttpMethod.OPTIONS).uri("/resource")
                .header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "GET").exchange()
                .expectStatus().isForbidden();
    }

    @Test
    void optionsAsteriskIsWebFluxsNotFoundRatherThanAServerError() throws Exception {
        // the asterisk form (RFC 9112, 3.2.4) names no resource: the adapter hands it to WebFlux as
        // the URI "*", to which nothing is mapped
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 404 ").contains("\"path\":\"*\"");
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
