package dev.amqptasks.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's output: one JSON line per workload run, printed once the run succeeded,
 * and a table of medians at the end.
 */
final class Results {

	private final Settings settings;

	private final Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();

	private final List<Map<String, Object>> pending = new ArrayList<>();

	Results(Settings settings) {
		this.settings = settings;
	}

	/** Forgets the lines of a run that failed. */
	void discardPending() {
		this.pending.clear();
	}

	/** Prints the lines of a run that succeeded. */
	void printPending() {
		this.pending.forEach(this::print);
		this.pending.clear();
	}

	static Map<String, Object> line(String workload, int run) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("workload", workload);
		line.put("run", run);
		return line;
	}

	void report(Map<String, Object> line) {
		this.pending.add(line);
	}

	void print(Map<String, Object> line) {
		System.out.println(Json.line(line));
		System.out.flush();
		this.results.computeIfAbsent((String) line.get("workload"), (k) -> new ArrayList<>()).add(line);
	}

	void printTable() {
		if (this.results.isEmpty()) {
			return;
		}
		System.out.println();
		System.out.println("Medians of " + this.settings.runs() + " run(s) (min .. max in brackets)");
		System.out.println(String.format(Locale.ROOT, "%-4s %-34s %12s  %-24s %s", "", "figure", "median", "range",
				"ratio to RAW (median)"));
		row("RAW", "msg/s (confirm window 100)", "msg_per_s", null);
		row("W1", "end to end, tasks/s", "e2e_tasks_per_s", "ratio_to_raw");
		row("W1", "enqueue, tasks/s", "enqueue_per_s", "enqueue_ratio_to_raw");
		row("W1", "drain (pre-filled), tasks/s", "drain_tasks_per_s", "drain_ratio_to_raw");
		row("W1", "worker peak RSS, MB", "worker_peak_rss_mb", null);
		row("W2",
				"makespan, s (ideal ~" + (int) Math.ceil(
						(double) this.settings.w2N() / this.settings.w2MaxRunningTasks() * W2W3Workload.W2_TASK_SECONDS)
						+ " s)",
				"makespan_s", null);
		row("W2", "worker peak RSS, MB", "worker_peak_rss_mb", null);
		row("W3", "enqueue to start p50, ms", "start_p50_ms", null);
		row("W3", "enqueue to start p99, ms", "start_p99_ms", null);
		row("W3", "enqueue to finished p50, ms", "finish_p50_ms", null);
		row("W3", "enqueue to finished p99, ms", "finish_p99_ms", null);
		row("L1", "first page p50, ms", "p50_ms", null);
		row("L1", "first page p99, ms", "p99_ms", null);
		row("L1", "10-page cursor walk, ms", "walk_10_pages_ms", null);
		System.out.flush();
	}

	private void row(String workload, String label, String key, String ratioKey) {
		List<Map<String, Object>> lines = this.results.get(workload);
		if (lines == null) {
			return;
		}
		List<Double> values = numbers(lines, key);
		if (values.isEmpty()) {
			return;
		}
		String ratio = "";
		if (ratioKey != null) {
			List<Double> ratios = numbers(lines, ratioKey);
			ratio = ratios.isEmpty() ? "n/a" : format(Stats.median(ratios), 3);
		}
		double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
		double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
		System.out.println(String.format(Locale.ROOT, "%-4s %-34s %12s  %-24s %s", workload, label,
				format(Stats.median(values), 1), "[" + format(min, 1) + " .. " + format(max, 1) + "]", ratio));
	}

	private static List<Double> numbers(List<Map<String, Object>> lines, String key) {
		List<Double> values = new ArrayList<>();
		for (Map<String, Object> line : lines) {
			if (line.get(key) instanceof Number number) {
				values.add(number.doubleValue());
			}
		}
		return values;
	}

	private static String format(double value, int decimals) {
		return String.format(Locale.ROOT, "%,." + decimals + "f", value);
	}

}
