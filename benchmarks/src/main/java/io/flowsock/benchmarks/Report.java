package io.flowsock.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The Markdown table: one row per scenario metric, one column per contender with
 * {@code median [min–max]} over the rounds, then each contender's median divided by its
 * baseline's ({@link Contender#baselineOf}: reactor-netty-epoll, or for the WebFlux servers alone
 * webflux-reactor-netty; for a contender on the JDK 22+ Reactor Netty on that JDK where it runs
 * too). Every scenario ends with an errors row.
 *
 * <p>A value missing from a run, or NaN there ({@link Protocol#UNAVAILABLE}: the load could not
 * measure it), enters no cell, median or ratio; a contender without any value shows "—".
 */
final class Report {
    private final List<Run> runs;
    private final List<Scenario> scenarios;
    private final List<Contender> contenders;

    Report(List<Run> runs, List<Scenario> scenarios, List<Contender> contenders) {
        this.runs = runs;
        this.scenarios = scenarios;
        this.contenders = contenders;
    }

    String table() {
        StringBuilder t = new StringBuilder("| scenario | metric |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Contender c : contenders) {
            t.append(' ').append(c.id).append(" |");
            rule.append("---:|");
        }
        List<Contender> baselines = new ArrayList<>();   // each contender's, or null where it has no ratio
        for (Contender c : contenders) {
            Contender base = Contender.baselineOf(c, contenders);
            baselines.add(base == c ? null : base);
            if (base != null && base != c) {
                t.append(' ').append(c.id).append(" ÷ ").append(base.id).append(" |");
                rule.append("---:|");
            }
        }
        t.append('\n').append(rule).append('\n');
        for (Scenario s : scenarios) {
            for (Scenario.Metric m : s.metrics) {
                row(t, s, m.label(), baselines, r -> r.values.getOrDefault(m.key(), Double.NaN), true);
            }
            row(t, s, "errors (all kinds)", baselines, Run::errors, false);
        }
        return t.toString();
    }

    /** Each contender's cell, then a ratio cell for each contender with a baseline in {@code baselines}. */
    private void row(StringBuilder t, Scenario s, String label, List<Contender> baselines, ToDoubleFunction<Run> value,
                     boolean measuredOnly) {
        t.append("| ").append(s.id).append(" | ").append(label).append(" |");
        List<Double> medians = new ArrayList<>();
        for (Contender c : contenders) {
            List<Double> xs = new ArrayList<>();
            for (Run r : runs) {
                if (r.scenario == s && r.contender == c && (r.measured() || !measuredOnly)) {
                    double x = value.applyAsDouble(r);
                    if (!Double.isNaN(x)) {
                        xs.add(x);
                    }
                }
            }
            Collections.sort(xs);
            double median = median(xs);
            medians.add(median);
            t.append(' ').append(cell(xs, median)).append(" |");
        }
        for (int i = 0; i < contenders.size(); i++) {
            Contender baseline = baselines.get(i);
            if (baseline != null) {
                double x = medians.get(i);
                double base = medians.get(contenders.indexOf(baseline));
                boolean defined = !Double.isNaN(x) && !Double.isNaN(base) && base != 0;
                t.append(' ').append(defined ? String.format(Locale.ROOT, "%.2f", x / base) : "—").append(" |");
            }
        }
        t.append('\n');
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String cell(List<Double> sorted, double median) {
        if (sorted.isEmpty()) {
            return "—";
        }
        String m = number(median);
        if (sorted.size() == 1) {
            return m;
        }
        return m + " [" + number(sorted.get(0)) + "–" + number(sorted.get(sorted.size() - 1)) + "]";
    }

    /** Three significant digits or whole numbers, with thousands separators. */
    static String number(double x) {
        double a = Math.abs(x);
        if (x == Math.rint(x) && a < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) x);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        return String.format(Locale.ROOT, "%.3f", x);
    }
}
