package io.flowsock.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reports of wrk 4.1, h2load 1.52 and ab 2.3 as they print them, read into RESULT values. */
@Timeout(10)
class HttpToolLoadTest {
    private static final String WRK = """
            Running 1s test @ http://127.0.0.1:25080/hello
              2 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     5.22ms   13.21ms 113.89ms   95.26%
                Req/Sec    13.57k     3.65k   22.45k    70.00%
              Latency Distribution
                 50%    2.03ms
                 75%    4.11ms
                 90%    7.29ms
                 99%   81.02ms
              27504 requests in 1.08s, 3.02MB read
              Socket errors: connect 0, read 3, write 1, timeout 2
              Non-2xx or 3xx responses: 7
            Requests/sec:  25368.74
            Transfer/sec:      2.78MB
            """;

    private static final String H2LOAD = """
            starting benchmark...
            spawning thread #0: 16 total client(s). 20000 total requests
            Application protocol: http/1.1
            progress: 100% done

            finished in 925.84ms, 21602.00 req/s, 2.37MB/s
            requests: 20000 total, 20000 started, 19990 done, 19990 succeeded, 10 failed, 10 errored, 0 timeout
            status codes: 19985 2xx, 0 3xx, 5 4xx, 0 5xx
            traffic: 2.19MB (2300000) total, 1.35MB (1420000) headers (space savings 0.00%), 253.91KB (260000) data
            """;

    private static final String AB = """
            Concurrency Level:      32
            Time taken for tests:   0.431 seconds
            Complete requests:      2189
            Failed requests:        4
               (Connect: 0, Receive: 0, Length: 4, Exceptions: 0)
            Non-2xx responses:      3
            Requests per second:    5082.86 [#/sec] (mean)
            Percentage of the requests served within a certain time (ms)
              50%      4
              98%     21
              99%     39
             100%     59 (longest request)
            """;

    @Test
    void wrkGivesRateRequestsP99AndEveryKindOfError() throws IOException {
        HttpToolLoad.Report r = HttpToolLoad.wrk(WRK);
        Map<String, Double> v = Protocol.values(r.metrics().toString());

        assertThat(r.rate()).isEqualTo(25368.74);
        assertThat(v.get("requests")).isEqualTo(27504.0);
        assertThat(v.get("cpu_units")).isEqualTo(27504.0);
        assertThat(v.get("p99_us")).isEqualTo(81020.0);
        assertThat(v.get("err_socket")).isEqualTo(6.0);
        assertThat(v.get("err_non2xx")).isEqualTo(7.0);
    }

    @Test
    void wrkWithoutErrorLinesHadNone() throws IOException {
        String clean = WRK.replaceAll("(?m)^.*(Socket errors|Non-2xx).*\\n", "");
        Map<String, Double> v = Protocol.values(HttpToolLoad.wrk(clean).metrics().toString());

        assertThat(v.get("err_socket")).isZero();
        assertThat(v.get("err_non2xx")).isZero();
    }

    @Test
    void h2loadCountsEveryRequestNotAnswered2xxAsAnError() throws IOException {
        HttpToolLoad.Report r = HttpToolLoad.h2load(H2LOAD);
        Map<String, Double> v = Protocol.values(r.metrics().toString());

        assertThat(r.rate()).isEqualTo(21602.0);
        assertThat(v.get("requests")).isEqualTo(19990.0);
        assertThat(v.get("err_not_2xx")).isEqualTo(15.0);
    }

    @Test
    void abGivesRateP99InMicrosecondsFailedAndNon2xx() throws IOException {
        HttpToolLoad.Report r = HttpToolLoad.ab(AB);
        Map<String, Double> v = Protocol.values(r.metrics().toString());

        assertThat(r.rate()).isEqualTo(5082.86);
        assertThat(v.get("requests")).isEqualTo(2189.0);
        assertThat(v.get("p99_us")).isEqualTo(39000.0);
        assertThat(v.get("err_failed")).isEqualTo(4.0);
        assertThat(v.get("err_non2xx")).isEqualTo(3.0);
    }

    @Test
    void aReportWithoutItsFiguresFailsTheRunRatherThanReadAsZero() {
        assertThatThrownBy(() -> HttpToolLoad.ab("apr_socket_recv: Connection refused (111)"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Complete requests");
    }

    @Test
    void wrkDurationsAreReadInEveryUnit() {
        assertThat(HttpToolLoad.micros("812.00us")).isEqualTo(812.0);
        assertThat(HttpToolLoad.micros("1.50ms")).isEqualTo(1500.0);
        assertThat(HttpToolLoad.micros("2.00s")).isEqualTo(2e6);
        assertThat(HttpToolLoad.micros("1.00m")).isEqualTo(60e6);
    }
}
