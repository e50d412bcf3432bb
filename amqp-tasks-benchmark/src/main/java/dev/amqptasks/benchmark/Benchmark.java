package dev.amqptasks.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskRequest;
import dev.amqptasks.registry.NewTask;
import dev.amqptasks.registry.TaskRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark driver behind {@code bench/run}: the workloads RAW, W1, W2, W3 and L1 that
 * docs/performance.md defines, against the local RabbitMQ and Redis, with this JVM as the
 * producer (a Spring Boot application with the starter) and the real worker app in JVMs of
 * its own. Prints a header, one JSON line per workload run, and a table of medians; deletes
 * every queue, exchange and Redis key it created, also when it fails or is interrupted.
 * <p>
 * Standard output carries only the header, the JSON lines and the table; progress goes to
 * standard error.
 */
public final class Benchmark {

	private static final long STARTED = System.nanoTime();

	private static final String NOOP = "bench.noop";

	private static final String SLEEP = "bench.sleep";

	private static final double W2_TASK_SECONDS = 1.0;

	private static final int L1_LIMIT = 50;

	private static final int L1_PAGES = 10;

	private static final Duration FILL_LEASE = Duration.ofMinutes(5);

	private final Settings settings;

	private final String runId;

	private final Broker broker;

	private final Registry registry;

	private final Set<Names> namesInUse = new LinkedHashSet<>();

	private final Map<Names, List<AutoCloseable>> open = new LinkedHashMap<>();

	private final Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();

	private final Map<Integer, Double> rawByRun = new LinkedHashMap<>();

	private final List<Map<String, Object>> pending = new ArrayList<>();

	private final JsonMapper json = JsonMapper.builder().build();

	private boolean cleanedUp;

	private Benchmark(Settings settings, String runId, Broker broker, Registry registry) {
		this.settings = settings;
		this.runId = runId;
		this.broker = broker;
		this.registry = registry;
	}

	public static void main(String[] args) throws Exception {
		Settings settings;
		try {
			settings = Settings.fromEnvironment(System.getenv());
		}
		catch (IllegalArgumentException ex) {
			System.err.println("bench: " + ex.getMessage());
			System.exit(2);
			return;
		}
		String runId = DateTimeFormatter.ofPattern("MMddHHmmss").format(ZonedDateTime.now()) + "-"
				+ Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
		int status;
		try (Broker broker = new Broker(settings.rabbitHost(), settings.rabbitPort());
				Registry registry = new Registry(settings.redisHost(), settings.redisPort())) {
			Benchmark benchmark = new Benchmark(settings, runId, broker, registry);
			Thread cleanupHook = new Thread(benchmark::cleanUpAll, "bench-cleanup");
			Runtime.getRuntime().addShutdownHook(cleanupHook);
			try {
				status = benchmark.run();
			}
			finally {
				benchmark.cleanUpAll();
				Runtime.getRuntime().removeShutdownHook(cleanupHook);
			}
		}
		System.exit(status);
	}

	private int run() throws Exception {
		printHeader();
		int status = 0;
		try {
			for (int run = 1; run <= this.settings.runs(); run++) {
				int r = run;
				if (this.settings.runs("RAW")) {
					attempt("RAW run " + run, () -> raw(r));
				}
				if (this.settings.runs("W1")) {
					attempt("W1 run " + run, () -> w1(r));
				}
				if (this.settings.runs("W2") || this.settings.runs("W3")) {
					attempt("W2/W3 run " + run, () -> w2w3(r));
				}
			}
			if (this.settings.runs("L1")) {
				attempt("L1", this::l1);
			}
		}
		catch (Exception ex) {
			System.err.println("bench: FAILED: " + ex);
			ex.printStackTrace();
			status = 1;
		}
		progress("done in " + Math.round(elapsedSeconds()) + " s" + ((status == 0) ? "" : ", FAILED"));
		printTable();
		return status;
	}

	/**
	 * Runs a workload, once more if it fails (the services are shared: another process may
	 * restart RabbitMQ or Redis under it). Its JSON lines are printed only once it succeeded.
	 */
	private void attempt(String what, Action workload) throws Exception {
		for (int attempt = 0;; attempt++) {
			this.pending.clear();
			try {
				workload.run();
				this.pending.forEach(this::print);
				this.pending.clear();
				return;
			}
			catch (Exception ex) {
				if (attempt >= this.settings.retries()) {
					throw ex;
				}
				progress(what + " failed, running it again: " + ex);
				Thread.sleep(5000);
			}
		}
	}

	// ---------------------------------------------------------------- header

	private void printHeader() throws Exception {
		List<String> lines = new ArrayList<>();
		lines.add("amqp-tasks benchmark (WORKLOADS.md), run id " + this.runId);
		lines.add("date:      " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
		lines.add("machine:   " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
				+ memory() + " memory");
		lines.add("load:      " + uptime());
		lines.add("jdk:       " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
				+ " (" + System.getProperty("java.home") + "); worker java " + this.settings.java());
		lines.add("services:  " + this.broker.version() + " at " + this.settings.rabbitHost() + ":"
				+ this.settings.rabbitPort() + ", " + this.registry.version() + " at " + this.settings.redisHost() + ":"
				+ this.settings.redisPort());
		lines.add("settings:  RUNS=" + this.settings.runs() + " N=" + this.settings.n() + " W2_N=" + this.settings.w2N()
				+ " W3_N=" + this.settings.w3N() + " L1_N=" + this.settings.l1N() + " PRODUCER_THREADS="
				+ this.settings.producerThreads() + " BULK_SIZE=" + this.settings.bulkSize() + " RAW_SECONDS="
				+ this.settings.rawSeconds() + " W3_RATE="
				+ this.settings.w3Rate() + " WARMUP=" + this.settings.warmup() + " WORKLOADS="
				+ String.join(",", this.settings.workloads()));
		lines.add("worker:    " + this.settings.workerJar() + " with -Dloader.path=" + this.settings.tasksJar()
				+ (this.settings.workerJavaOptions().isEmpty() ? ""
						: " and " + String.join(" ", this.settings.workerJavaOptions()))
				+ "; logs in " + this.settings.logDir());
		lines.forEach(System.out::println);
		System.out.println();
		System.out.flush();
	}

	private static String cpuModel() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("model name")) {
					return line.substring(line.indexOf(':') + 1).trim();
				}
			}
		}
		catch (IOException ex) {
			// not Linux
		}
		return "unknown CPU";
	}

	private static String memory() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					long kilobytes = Long.parseLong(line.replaceAll("[^0-9]", ""));
					return String.format(Locale.ROOT, "%.1f GiB", kilobytes / 1024.0 / 1024.0);
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// not Linux
		}
		return "unknown";
	}

	private static String uptime() {
		try {
			Process process = new ProcessBuilder("uptime").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (process.waitFor(5, TimeUnit.SECONDS) && !output.isEmpty()) {
				return output;
			}
		}
		catch (IOException ex) {
			// fall back to /proc/loadavg
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			return "load average " + Files.readString(Path.of("/proc/loadavg")).trim();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	// ---------------------------------------------------------------- RAW

	private void raw(int run) throws Exception {
		Names names = names("raw", run);
		progress("RAW run " + run + ": " + this.settings.rawSeconds() + " s (+2 s warm-up) of publish/consume on "
				+ names.queue());
		try {
			Duration brokerCpu = ServiceCpu.rabbitmq();
			RawLimit.Result result = RawLimit.run(this.broker.factory(), names.queue(), this.settings.rawSeconds(),
					this.settings.rawPrefetch());
			brokerCpu = ServiceCpu.rabbitmq().minus(brokerCpu);
			this.rawByRun.put(run, result.consumedPerSecond());
			Map<String, Object> line = line("RAW", run);
			line.put("msg_per_s", round(result.consumedPerSecond(), 1));
			line.put("published_per_s", round(result.publishedPerSecond(), 1));
			line.put("seconds", this.settings.rawSeconds());
			line.put("confirm_window", RawLimit.CONFIRM_WINDOW);
			line.put("consumer_prefetch", (this.settings.rawPrefetch() == 0) ? "unlimited"
					: Integer.toString(this.settings.rawPrefetch()));
			line.put("queue_type", "classic");
			line.put("body_bytes", result.bodyBytes());
			line.put("rabbitmq_cpu_ms_per_msg", round(brokerCpu.toNanos() / 1e6 / result.consumed(), 3));
			report(line);
		}
		finally {
			release(names);
		}
	}

	// ---------------------------------------------------------------- W1

	private void w1(int run) throws Exception {
		Names names = names("w1", run);
		int n = this.settings.n();
		try (Producer producer = open(names, Producer.start(this.settings, names, false))) {
			TaskClient client = producer.client();
			progress("W1 run " + run + ": pre-filling " + n + " no-op tasks with no worker");
			Enqueued prefill = enqueueAll(client, n, NOOP);
			long queued = this.broker.messages(names.queue());
			if (queued != n) {
				throw new IllegalStateException("Expected " + n + " messages in " + names.queue() + ", found " + queued);
			}
			try (WorkerProcess worker = open(names, startWorker(names, 0, "w1-r" + run))) {
				progress("W1 run " + run + ": draining with worker pid " + worker.pid());
				this.registry.awaitFinished(names.keyPrefix(), n, timeout(), worker::checkAlive);
				long[][] drained = this.registry.times(names.keyPrefix(), prefill.ids(), "startedAt", "finishedAt");
				double drainSeconds = (max(drained, 1) - min(drained, 0)) / 1000.0;

				progress("W1 run " + run + ": end to end, " + n + " no-op tasks from " + this.settings.producerThreads()
						+ " producer threads, " + this.settings.bulkSize() + " per call");
				Duration workerCpu = worker.cpu();
				Duration producerCpu = ownCpu();
				Duration brokerCpu = ServiceCpu.rabbitmq();
				Duration redisCpu = ServiceCpu.redis();
				Enqueued batch = enqueueAll(client, n, NOOP);
				this.registry.awaitFinished(names.keyPrefix(), 2L * n, timeout(), worker::checkAlive);
				workerCpu = worker.cpu().minus(workerCpu);
				producerCpu = ownCpu().minus(producerCpu);
				brokerCpu = ServiceCpu.rabbitmq().minus(brokerCpu);
				redisCpu = ServiceCpu.redis().minus(redisCpu);
				long[][] finished = this.registry.times(names.keyPrefix(), batch.ids(), "finishedAt");
				double e2eSeconds = (max(finished, 0) - batch.firstEnqueueMillis()) / 1000.0;
				double rss = worker.peakRssMb();

				double e2e = n / e2eSeconds;
				double enqueue = n / batch.seconds();
				double drain = n / drainSeconds;
				Double raw = this.rawByRun.get(run);
				Map<String, Object> line = line("W1", run);
				line.put("e2e_tasks_per_s", round(e2e, 1));
				line.put("enqueue_per_s", round(enqueue, 1));
				line.put("drain_tasks_per_s", round(drain, 1));
				line.put("worker_peak_rss_mb", round(rss, 1));
				line.put("ratio_to_raw", ratio(e2e, raw));
				line.put("enqueue_ratio_to_raw", ratio(enqueue, raw));
				line.put("drain_ratio_to_raw", ratio(drain, raw));
				line.put("raw_msg_per_s", (raw != null) ? round(raw, 1) : null);
				line.put("n", n);
				line.put("producer_threads", this.settings.producerThreads());
				line.put("bulk_size", this.settings.bulkSize());
				line.put("max_running_tasks", "default");
				line.put("e2e_s", round(e2eSeconds, 3));
				line.put("e2e_worker", "warm, after the drain");
				line.put("drain_s", round(drainSeconds, 3));
				line.put("drain_timed_from", "first task start");
				line.put("prefill_enqueue_per_s", round(n / prefill.seconds(), 1));
				line.put("e2e_worker_cpu_ms_per_task", round(workerCpu.toNanos() / 1e6 / n, 3));
				line.put("e2e_producer_cpu_ms_per_task", round(producerCpu.toNanos() / 1e6 / n, 3));
				line.put("e2e_rabbitmq_cpu_ms_per_task", round(brokerCpu.toNanos() / 1e6 / n, 3));
				line.put("e2e_redis_cpu_ms_per_task", round(redisCpu.toNanos() / 1e6 / n, 3));
				line.put("jdk", System.getProperty("java.runtime.version"));
				report(line);
			}
		}
		finally {
			release(names);
		}
	}

	// ---------------------------------------------------------------- W2 and W3

	/**
	 * W2 then W3. Their two workers boot at the same time, and their producers meanwhile:
	 * JVM start-up is most of these workloads' wall time and is not measured. W3's worker idles
	 * while W2 is measured.
	 */
	private void w2w3(int run) throws Exception {
		boolean w2 = this.settings.runs("W2");
		boolean w3 = this.settings.runs("W3");
		if (!w2 && !w3) {
			return;
		}
		Names names2 = w2 ? names("w2", run) : null;
		Names names3 = w3 ? names("w3", run) : null;
		try {
			WorkerProcess worker2 = w2 ? open(names2, startWorker(names2, this.settings.w2MaxRunningTasks(),
					"w2-r" + run)) : null;
			WorkerProcess worker3 = w3 ? open(names3, startWorker(names3, 0, "w3-r" + run)) : null;
			progress("W2/W3 run " + run + ": starting worker(s) " + ((worker2 != null) ? "pid " + worker2.pid() : "")
					+ ((worker3 != null) ? " pid " + worker3.pid() : "") + " and producer(s)");
			Producer producer2 = w2 ? open(names2, Producer.start(this.settings, names2, false)) : null;
			Producer producer3 = w3 ? open(names3, Producer.start(this.settings, names3, false)) : null;
			if (w2) {
				worker2.awaitConsuming(this.broker, names2.queue(), timeout());
			}
			if (w3) {
				worker3.awaitConsuming(this.broker, names3.queue(), timeout());
			}
			if (w2) {
				w2(run, names2, producer2, worker2);
				release(names2);
			}
			if (w3) {
				w3(run, names3, producer3, worker3);
			}
		}
		finally {
			if (names2 != null) {
				release(names2);
			}
			if (names3 != null) {
				release(names3);
			}
		}
	}

	private void w2(int run, Names names, Producer producer, WorkerProcess worker) throws Exception {
		int n = this.settings.w2N();
		int max = this.settings.w2MaxRunningTasks();
		int warmup = this.settings.warmup();
		TaskClient client = producer.client();
		warmUp(client, names, worker, warmup, "W2 run " + run);
		progress("W2 run " + run + ": " + n + " tasks of " + W2_TASK_SECONDS + " s, max-running-tasks=" + max);
		Enqueued batch = enqueueAll(client, n, SLEEP, W2_TASK_SECONDS);
		this.registry.awaitFinished(names.keyPrefix(), (long) warmup + n, timeout(), worker::checkAlive);
		long[][] finished = this.registry.times(names.keyPrefix(), batch.ids(), "startedAt", "finishedAt");
		double makespan = (max(finished, 1) - batch.firstEnqueueMillis()) / 1000.0;
		Map<String, Object> line = line("W2", run);
		line.put("makespan_s", round(makespan, 3));
		line.put("worker_peak_rss_mb", round(worker.peakRssMb(), 1));
		line.put("n", n);
		line.put("task_s", W2_TASK_SECONDS);
		line.put("max_running_tasks", max);
		line.put("ideal_s", round(Math.ceil((double) n / max) * W2_TASK_SECONDS, 3));
		line.put("timed_from", "first enqueue");
		line.put("makespan_from_first_start_s", round((max(finished, 1) - min(finished, 0)) / 1000.0, 3));
		line.put("enqueue_s", round(batch.seconds(), 3));
		line.put("producer_threads", this.settings.producerThreads());
		line.put("bulk_size", this.settings.bulkSize());
		line.put("warmup_tasks", warmup);
		report(line);
	}

	private void w3(int run, Names names, Producer producer, WorkerProcess worker) throws Exception {
		int n = this.settings.w3N();
		int rate = this.settings.w3Rate();
		int warmup = this.settings.warmup();
		TaskClient client = producer.client();
		warmUp(client, names, worker, warmup, "W3 run " + run);
		progress("W3 run " + run + ": " + n + " no-op tasks at " + rate + "/s");
		Steady steady = enqueueSteadily(client, n, rate);
		this.registry.awaitFinished(names.keyPrefix(), (long) warmup + n, timeout(), worker::checkAlive);
		long[][] times = this.registry.times(names.keyPrefix(), steady.ids(), "createdAt", "startedAt", "finishedAt");
		double[] start = new double[n];
		double[] finish = new double[n];
		for (int i = 0; i < n; i++) {
			start[i] = times[i][1] - times[i][0];
			finish[i] = times[i][2] - times[i][0];
		}
		Map<String, Object> line = line("W3", run);
		line.put("start_p50_ms", round(Stats.percentile(start, 50), 2));
		line.put("start_p99_ms", round(Stats.percentile(start, 99), 2));
		line.put("finish_p50_ms", round(Stats.percentile(finish, 50), 2));
		line.put("finish_p99_ms", round(Stats.percentile(finish, 99), 2));
		line.put("start_max_ms", round(Stats.percentile(start, 100), 2));
		line.put("finish_max_ms", round(Stats.percentile(finish, 100), 2));
		line.put("enqueue_call_p50_ms", round(Stats.percentile(steady.callMillis(), 50), 3));
		line.put("enqueue_call_p99_ms", round(Stats.percentile(steady.callMillis(), 99), 3));
		line.put("n", n);
		line.put("rate_per_s", rate);
		line.put("achieved_rate_per_s", round(steady.achievedRate(), 1));
		line.put("timed_from", "registry createdAt (1 ms resolution)");
		line.put("max_running_tasks", "default");
		line.put("warmup_tasks", warmup);
		report(line);
	}

	// ---------------------------------------------------------------- L1

	private void l1() throws Exception {
		Names names = names("l1", 0);
		int n = this.settings.l1N();
		if (n < L1_LIMIT * (L1_PAGES + 1)) {
			throw new IllegalArgumentException("L1_N must be at least " + L1_LIMIT * (L1_PAGES + 1));
		}
		try (Producer producer = open(names, Producer.start(this.settings, names, true))) {
			progress("L1: storing " + n + " finished tasks through the registry (create, start, finish)");
			double fillSeconds = fill(producer.registry(), n);
			progress("L1: stored in " + round(fillSeconds, 1) + " s; listing over HTTP");
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
				Map<String, Object> line = line("L1", run);
				line.put("p50_ms", round(Stats.percentile(first, 50), 3));
				line.put("p99_ms", round(Stats.percentile(first, 99), 3));
				line.put("walk_10_pages_ms", round(Stats.percentile(walks, 50), 3));
				line.put("walk_max_ms", round(Stats.percentile(walks, 100), 3));
				line.put("tasks", n);
				line.put("limit", L1_LIMIT);
				line.put("requests", first.length);
				line.put("walks", walks.length);
				line.put("fill_s", round(fillSeconds, 1));
				report(line);
			}
		}
		finally {
			release(names);
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
						NewTask task = new NewTask(String.format("l1-%07d", i), NOOP, "[]", "{}", 5);
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
			throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": "
					+ response.body());
		}
		JsonNode page = this.json.readTree(response.body());
		if (page.get("items").size() != L1_LIMIT) {
			throw new IllegalStateException("GET " + uri + " listed " + page.get("items").size() + " tasks, not "
					+ L1_LIMIT);
		}
		JsonNode next = page.get("next");
		if (next == null || next.isNull()) {
			throw new IllegalStateException("GET " + uri + " has no next page");
		}
		return next.asString();
	}

	// ---------------------------------------------------------------- producing

	/**
	 * Ids of enqueued tasks, when the first enqueue started ({@link System#currentTimeMillis()})
	 * and how long enqueueing took.
	 */
	record Enqueued(String[] ids, long firstEnqueueMillis, double seconds) {
	}

	/**
	 * Enqueues tasks as fast as the producer API allows: {@code PRODUCER_THREADS} threads call
	 * {@link TaskClient#enqueueAll(List)} with {@code BULK_SIZE} tasks at a time (or, with a
	 * size of 1, {@link TaskClient#enqueue(String, Object...)} for each task) concurrently, each
	 * call waiting for its own confirms.
	 */
	private Enqueued enqueueAll(TaskClient client, int n, String task, Object... args) throws InterruptedException {
		String[] ids = new String[n];
		AtomicInteger next = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		int threads = Math.min(this.settings.producerThreads(), n);
		CountDownLatch gate = new CountDownLatch(1);
		List<Thread> producers = new ArrayList<>(threads);
		for (int t = 0; t < threads; t++) {
			Thread thread = new Thread(() -> {
				try {
					gate.await();
					int bulk = this.settings.bulkSize();
					for (int from = next.getAndAdd(bulk); from < n && failure.get() == null; from = next.getAndAdd(bulk)) {
						int to = Math.min(n, from + bulk);
						if (bulk == 1) {
							ids[from] = client.enqueue(task, args).id();
							continue;
						}
						List<TaskRequest> requests = new ArrayList<>(to - from);
						for (int i = from; i < to; i++) {
							requests.add(TaskRequest.of(task, args));
						}
						List<TaskHandle> handles = client.enqueueAll(requests);
						for (int i = from; i < to; i++) {
							ids[i] = handles.get(i - from).id();
						}
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}, "producer-" + t);
			thread.start();
			producers.add(thread);
		}
		long firstMillis = System.currentTimeMillis();
		long start = System.nanoTime();
		gate.countDown();
		for (Thread thread : producers) {
			thread.join();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		if (failure.get() != null) {
			throw new IllegalStateException("Enqueueing failed: " + failure.get(), failure.get());
		}
		return new Enqueued(ids, firstMillis, seconds);
	}

	/**
	 * Ids of tasks enqueued at a steady rate, the duration of each enqueue call and the rate
	 * achieved.
	 */
	record Steady(String[] ids, double[] callMillis, double achievedRate) {
	}

	/**
	 * Enqueues at a fixed rate, open loop: a task is due every {@code 1/rate} seconds whatever
	 * the previous enqueue took; a pool of threads makes the calls.
	 */
	private Steady enqueueSteadily(TaskClient client, int n, int rate) throws InterruptedException {
		String[] ids = new String[n];
		double[] callMillis = new double[n];
		AtomicReference<Throwable> failure = new AtomicReference<>();
		ExecutorService pool = Executors.newFixedThreadPool(16);
		long interval = 1_000_000_000L / rate;
		long start = System.nanoTime() + 10_000_000L;
		long last = start;
		try {
			for (int i = 0; i < n && failure.get() == null; i++) {
				long due = start + i * interval;
				for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
					LockSupport.parkNanos(wait);
				}
				last = System.nanoTime();
				int index = i;
				pool.execute(() -> {
					try {
						long begin = System.nanoTime();
						ids[index] = client.enqueue(NOOP).id();
						callMillis[index] = (System.nanoTime() - begin) / 1e6;
					}
					catch (Throwable ex) {
						failure.compareAndSet(null, ex);
					}
				});
			}
		}
		finally {
			pool.shutdown();
			pool.awaitTermination(5, TimeUnit.MINUTES);
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Enqueueing failed: " + failure.get(), failure.get());
		}
		double seconds = (last - start) / 1e9;
		return new Steady(ids, callMillis, (seconds > 0) ? (n - 1) / seconds : Double.NaN);
	}

	/** Runs no-op tasks through a fresh worker so that its JIT is warm before a measurement. */
	private void warmUp(TaskClient client, Names names, WorkerProcess worker, int tasks, String what)
			throws InterruptedException {
		if (tasks == 0) {
			return;
		}
		progress(what + ": warming the worker up with " + tasks + " no-op tasks");
		enqueueAll(client, tasks, NOOP);
		this.registry.awaitFinished(names.keyPrefix(), tasks, timeout(), worker::checkAlive);
	}

	private WorkerProcess startWorker(Names names, int maxRunningTasks, String label) throws IOException {
		return WorkerProcess.start(this.settings, names, maxRunningTasks, this.runId + "-" + label);
	}

	// ---------------------------------------------------------------- names and clean-up

	private Names names(String workload, int run) {
		Names names = new Names("amqp-tasks-bench-" + this.runId + "-" + workload + ((run > 0) ? "-r" + run : ""));
		synchronized (this) {
			this.namesInUse.add(names);
		}
		return names;
	}

	private synchronized <T extends AutoCloseable> T open(Names names, T resource) {
		this.open.computeIfAbsent(names, (key) -> new ArrayList<>()).add(resource);
		return resource;
	}

	/** Deletes what one run declared and stored, once its worker and producer are closed. */
	private synchronized void release(Names names) {
		close(names);
		for (String queue : names.queues()) {
			quietly(() -> this.broker.deleteQueue(queue));
		}
		quietly(() -> this.broker.deleteExchange(names.exchange()));
		quietly(() -> this.registry.deleteAll(names.keyPrefix()));
		this.namesInUse.remove(names);
	}

	private synchronized void cleanUpAll() {
		if (this.cleanedUp) {
			return;
		}
		for (Names names : List.copyOf(this.open.keySet())) {
			close(names);
		}
		for (Names names : List.copyOf(this.namesInUse)) {
			progress("cleaning up " + names.queue());
			release(names);
		}
		// Anything else the task system may have declared under a run's names (per-delay
		// queues, for instance), found with rabbitmqctl where it can be run.
		String prefix = "amqp-tasks-bench-" + this.runId + "-";
		for (String queue : Rabbitmqctl.list("list_queues", prefix)) {
			progress("cleaning up queue " + queue);
			quietly(() -> this.broker.deleteQueue(queue));
		}
		for (String exchange : Rabbitmqctl.list("list_exchanges", prefix)) {
			progress("cleaning up exchange " + exchange);
			quietly(() -> this.broker.deleteExchange(exchange));
		}
		this.cleanedUp = true;
	}

	/** Closes a run's worker and producer, workers first (closing twice is harmless). */
	private synchronized void close(Names names) {
		List<AutoCloseable> resources = this.open.remove(names);
		if (resources == null) {
			return;
		}
		resources.stream().filter(WorkerProcess.class::isInstance).forEach((resource) -> quietly(resource::close));
		resources.stream().filter((r) -> !(r instanceof WorkerProcess)).forEach((resource) -> quietly(resource::close));
	}

	private interface Action {

		void run() throws Exception;

	}

	private static void quietly(Action action) {
		try {
			action.run();
		}
		catch (Exception ex) {
			progress("clean-up: " + ex);
		}
	}

	// ---------------------------------------------------------------- reporting

	private static Map<String, Object> line(String workload, int run) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("workload", workload);
		line.put("run", run);
		return line;
	}

	private void report(Map<String, Object> line) {
		this.pending.add(line);
	}

	private void print(Map<String, Object> line) {
		System.out.println(Json.line(line));
		System.out.flush();
		this.results.computeIfAbsent((String) line.get("workload"), (k) -> new ArrayList<>()).add(line);
	}

	private void printTable() {
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
		row("W2", "makespan, s (ideal ~" + (int) Math.ceil((double) this.settings.w2N()
				/ this.settings.w2MaxRunningTasks() * W2_TASK_SECONDS) + " s)", "makespan_s", null);
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

	static void progress(String message) {
		System.err.println(String.format(Locale.ROOT, "[bench %5.1fs] %s", elapsedSeconds(), message));
		System.err.flush();
	}

	private static double elapsedSeconds() {
		return (System.nanoTime() - STARTED) / 1e9;
	}

	/** CPU time of this JVM (the producer) so far. */
	private static Duration ownCpu() {
		return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
	}

	private Duration timeout() {
		return Duration.ofSeconds(this.settings.timeoutSeconds());
	}

	private static Double ratio(double value, Double raw) {
		return (raw == null || raw == 0) ? null : round(value / raw, 4);
	}

	private static double round(double value, int decimals) {
		return Stats.round(value, decimals);
	}

	private static long max(long[][] times, int field) {
		long max = Long.MIN_VALUE;
		for (long[] time : times) {
			if (time[field] == Long.MIN_VALUE) {
				throw new IllegalStateException("A task has no timestamp in the registry");
			}
			max = Math.max(max, time[field]);
		}
		return max;
	}

	private static long min(long[][] times, int field) {
		long min = Long.MAX_VALUE;
		for (long[] time : times) {
			if (time[field] == Long.MIN_VALUE) {
				throw new IllegalStateException("A task has no timestamp in the registry");
			}
			min = Math.min(min, time[field]);
		}
		return min;
	}

}
