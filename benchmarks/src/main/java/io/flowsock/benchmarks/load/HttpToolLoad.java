package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.server.HttpRoutes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * http-keepalive, http-pipelined and http-close (and webflux-hello, webflux-json, webflux-close,
 * which run wrk and ab alike on the WebFlux application): the load is an HTTP client nobody here
 * wrote, run as a child process of this JVM on {@code GET <path>} ({@code /hello} unless the
 * {@code path} argument says otherwise), its report parsed into the RESULT.
 *
 * <ul>
 * <li>http-keepalive: {@code wrk -t<threads> -c<connections> -d<duration_s>s --latency}; rate and
 *     p99 from wrk's report, errors are its non-2xx-or-3xx count and its socket errors.</li>
 * <li>http-pipelined: {@code h2load --h1 -c<connections> -m<pipeline> -n<N>}; errors are the
 *     requests that did not end in a 2xx.</li>
 * <li>http-close: {@code ab -r -c<concurrency> -n<N>}, HTTP/1.0 without keep-alive, so a connection
 *     per request; p99 from ab's percentile table (whole milliseconds), errors are its failed
 *     requests and non-2xx responses.</li>
 * </ul>
 *
 * The warm-up runs the same command for {@code warmup_s} (for wrk) or {@code warmup_requests},
 * as many times as the runner asks. h2load and ab take a count rather than a time: the timed run
 * asks for the last warm-up's rate times {@code duration_s}, at least {@code min_requests}, so
 * every contender gets about the same time under load.
 */
final class HttpToolLoad {
    private HttpToolLoad() {
    }

    static Metrics run(String scenario, InetSocketAddress server, Params p) throws IOException {
        String url = "http://" + server.getHostString() + ":" + server.getPort() + p.text("path", HttpRoutes.HELLO_PATH);
        long deadlineMs = p.num("deadline_ms");
        Report warm;
        do {
            warm = once(scenario, url, p, true, 0, deadlineMs);
        } while (Control.warmAgain());
        long requests = Math.max(p.num("min_requests", 1), Math.round(warm.rate() * p.num("duration_s", 1)));
        Control.mark("begin");
        Report timed = once(scenario, url, p, false, requests, deadlineMs);
        Control.mark("end");
        return timed.metrics();
    }

    /** What one run of a tool said: its rate, to size the next run, and every figure for the RESULT. */
    record Report(double rate, Metrics metrics) {
    }

    private static Report once(String scenario, String url, Params p, boolean warm, long requests, long timeoutMs)
            throws IOException {
        long warmRequests = p.num("warmup_requests", 1000);
        List<String> cmd = new ArrayList<>();
        switch (tool(scenario)) {
            case "http-keepalive" -> {
                cmd.addAll(List.of("wrk", "-t" + p.num("threads"), "-c" + p.num("connections"),
                        "-d" + (warm ? p.num("warmup_s") : p.num("duration_s")) + "s", "--latency", url));
                return wrk(check(HttpTool.run(cmd, timeoutMs)));
            }
            case "http-pipelined" -> {
                cmd.addAll(List.of("h2load", "--h1", "-c" + p.num("connections"), "-m" + p.num("pipeline"),
                        "-n" + (warm ? warmRequests : requests), url));
                return h2load(check(HttpTool.run(cmd, timeoutMs)));
            }
            case "http-close" -> {
                cmd.addAll(List.of("ab", "-r", "-c" + p.num("concurrency"), "-n" + (warm ? warmRequests : requests), url));
                return ab(check(HttpTool.run(cmd, timeoutMs)));
            }
            default -> throw new IllegalArgumentException("not an HTTP tool scenario: " + scenario);
        }
    }

    /** The http- scenario whose tool run {@code scenario} is: the webflux- ones drive the WebFlux application alike. */
    private static String tool(String scenario) {
        return switch (scenario) {
            case "webflux-hello", "webflux-json" -> "http-keepalive";
            case "webflux-close" -> "http-close";
            default -> scenario;
        };
    }

    /** The output of a tool that ran to its end; a tool that failed outright fails the run, with its words. */
    private static String check(HttpTool.Output out) throws IOException {
        if (out.exit() != 0) {
            throw new IOException("exit " + out.exit() + ": " + out.text().strip());
        }
        return out.text();
    }

    /** wrk's report: "N requests in Ts", "Requests/sec:", the 99% line of --latency, errors. */
    static Report wrk(String out) throws IOException {
        long requests = (long) number(out, "(\\d+) requests in ");
        double rate = number(out, "Requests/sec:\\s+([\\d.]+)");
        double p99 = micros(find(out, "\\n\\s*99%\\s+([\\d.]+(?:us|ms|s|m))"));
        long non2xx = (long) numberOr(out, "Non-2xx or 3xx responses:\\s+(\\d+)", 0);
        long socket = 0;
        Matcher m = java.util.regex.Pattern
                .compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        if (m.find()) {
            for (int g = 1; g <= 4; g++) {
                socket += Long.parseLong(m.group(g));
            }
        }
        return new Report(rate, new Metrics()
                .put("requests", requests)
                .put("rate", rate)
                .put("p99_us", p99)
                .put("cpu_units", requests)
                .put("err_non2xx", non2xx)
                .put("err_socket", socket));
    }

    /** h2load's report: "finished in Ts, R req/s", the requests line and the status codes. */
    static Report h2load(String out) throws IOException {
        double rate = number(out, "finished in [\\d.]+m?s, ([\\d.]+) req/s");
        Matcher r = java.util.regex.Pattern.compile(
                "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout")
                .matcher(out);
        if (!r.find()) {
            throw new IOException("no requests line in h2load's output");
        }
        long total = Long.parseLong(r.group(1));
        long done = Long.parseLong(r.group(3));
        long ok = (long) number(out, "status codes: (\\d+) 2xx");
        return new Report(rate, new Metrics()
                .put("requests", done)
                .put("rate", rate)
                .put("cpu_units", done)
                .put("err_not_2xx", total - ok));
    }

    /** ab's report: complete and failed requests, non-2xx responses, requests per second, the 99% row (ms). */
    static Report ab(String out) throws IOException {
        long complete = (long) number(out, "Complete requests:\\s+(\\d+)");
        long failed = (long) number(out, "Failed requests:\\s+(\\d+)");
        long non2xx = (long) numberOr(out, "Non-2xx responses:\\s+(\\d+)", 0);
        double rate = number(out, "Requests per second:\\s+([\\d.]+)");
        double p99ms = number(out, "\\n\\s*99%\\s+(\\d+)");
        return new Report(rate, new Metrics()
                .put("requests", complete)
                .put("rate", rate)
                .put("p99_us", p99ms * 1000)
                .put("cpu_units", complete)
                .put("err_failed", failed)
                .put("err_non2xx", non2xx));
    }

    /** A wrk duration ("812.00us", "1.23ms", "2.00s", "1.00m") in microseconds. */
    static double micros(String d) {
        String unit = d.replaceAll("[\\d.]", "");
        double v = Double.parseDouble(d.substring(0, d.length() - unit.length()));
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            case "m" -> v * 60e6;
            default -> throw new IllegalArgumentException("unknown unit in " + d);
        };
    }

    private static String find(String out, String regex) throws IOException {
        Matcher m = java.util.regex.Pattern.compile(regex).matcher(out);
        if (!m.find()) {
            throw new IOException("no match for " + regex + " in the tool's output");
        }
        return m.group(1);
    }

    private static double number(String out, String regex) throws IOException {
        return Double.parseDouble(find(out, regex));
    }

    private static double numberOr(String out, String regex, double orElse) {
        Matcher m = java.util.regex.Pattern.compile(regex).matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : orElse;
    }

}
