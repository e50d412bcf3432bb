package dev.amqptasks.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * L1: listing finished tasks over the HTTP API, the first page and a cursor walk, with
 * many tasks stored.
 */
final class L1Workload {

	private static final int L1_LIMIT = 50;

	private static final int L1_PAGES = 10;

	private static final Duration FILL_LEASE = Duration.ofMinutes(5);

	private final JsonMapper json = JsonMapper.builder().build();

	private final Benchmark benchmark;

	private final Settings settings;

	L1Workload(Benchmark benchmark) {
		this.benchmark = benchmark;
		this.settings = benchmark.settings();
	}

	void run() throws Exception {
		Names names = this.benchmark.names("l1", 0);
		int n = this.settings.l1N();
		if (n < L1_LIMIT * (L1_PAGES + 1)) {
			throw new IllegalArgumentException("L1_N must be at least " + L1_LIMIT * (L1_PAGES + 1));
		}
		try (Producer producer = this.benchmark.open(names, Producer.start(this.settings, names, true))) {
			Benchmark.progress("L1: storing " + n + " finished tasks through the registry (create, start, finish)");
			double fillSeconds = fill(producer.registry(), n);
			Benchmark.progress("L1: stored in " + Stats.round(fillSeconds, 1) + " s; listing over HTTP");
			HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			String base = "http://127.0.0.1:" + producer.port() + "/@amqp-tasks?status=finished&limit=" + L1_LIMIT;
			for (int i = 0; i < 50; i++) {
				page(http, base, null);
			}
			for (int run = 1; run <= this.settings.runs(); run++) {
				double[] first = new double[this.settings.l1Requests()];
				for (int i = 0; i < first.length; i++) {
					long start = System.nanoTime();
					page(http, base, null);
					first[i] = (System.nanoTime() - start) / 1e6;
				}
				double[] walks = new double[this.settings.l1Walks()];
				for (int w = 0; w < walks.length; w++) {
					long start = System.nanoTime();
					String cursor = null;
					for (int p = 0; p < L1_PAGES; p++) {
						cursor = page(http, base, cursor);
					}
					walks[w] = (System.nanoTime() - start) / 1e6;
				}
				Map<String, Object> line = Results.line("L1", run);
				line.put("p50_ms", Stats.round(Stats.percentile(first, 50), 3));
				line.put("p99_ms", Stats.round(Stats.percentile(first, 99), 3));
				line.put("walk_10_pages_ms", Stats.round(Stats.percentile(walks, 50), 3));
				line.put("walk_max_ms", Stats.round(Stats.percentile(walks, 100), 3));
				line.put("tasks", n);
				line.put("limit", L1_LIMIT);
				line.put("requests", first.length);
				line.put("walks", walks.length);
				line.put("fill_s", Stats.round(fillSeconds, 1));
				this.benchmark.results().report(line);
			}
		}
		finally {
			this.benchmark.release(names);
		}
	}

	private double fill(TaskRegistry taskRegistry, int n) throws InterruptedException {
		AtomicInteger next = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		int threads = this.settings.producerThreads();
		long start = System.nanoTime();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread thread = new Thread(() -> {
				try {
					for (int i = next.getAndIncrement(); i < n && failure.get() == null; i = next.getAndIncrement()) {
						NewTask task = new NewTask(String.format("l1-%07d", i), Benchmark.NOOP, "[]", "{}", 5);
						taskRegistry.create(task);
						// The task id serves as the one attempt's token.
						taskRegistry.start(new TaskRegistry.StartRequest(task, task.id()), "amqp-tasks-benchmark",
								FILL_LEASE);
						taskRegistry.finish(task.id(), task.id(), "null");
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}, "l1-fill-" + t);
			thread.start();
			workers.add(thread);
		}
		for (Thread thread : workers) {
			thread.join();
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Filling the registry failed: " + failure.get(), failure.get());
		}
		return (System.nanoTime() - start) / 1e9;
	}

	/** Reads one page; returns its next cursor. */
	private String page(HttpClient http, String base, String cursor) throws IOException, InterruptedException {
		String uri = (cursor != null) ? base + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) : base;
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(
					"GET " + uri + " answered " + response.statusCode() + ": " + response.body());
		}
		JsonNode page = this.json.readTree(response.body());
		if (page.get("items").size() != L1_LIMIT) {
			throw new IllegalStateException(
					"GET " + uri + " listed " + page.get("items").size() + " tasks, not " + L1_LIMIT);
		}
		JsonNode next = page.get("next");
		if (next == null || next.isNull()) {
			throw new IllegalStateException("GET " + uri + " has no next page");
		}
		return next.asString();
	}

}
