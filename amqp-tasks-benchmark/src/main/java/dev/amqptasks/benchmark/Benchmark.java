package dev.amqptasks.benchmark;

import java.io.IOException;
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
import java.util.concurrent.ThreadLocalRandom;

import dev.amqptasks.testsupport.Rabbitmqctl;
import dev.amqptasks.testsupport.WorkerProcess;

/**
 * The benchmark driver behind {@code bench/run}: the workloads RAW, W1, W2, W3 and L1
 * that docs/performance.md defines (one class each), against the local RabbitMQ and
 * Redis, with this JVM as the producer (a Spring Boot application with the starter) and
 * the real worker app in JVMs of its own. Prints a header, one JSON line per workload
 * run, and a table of medians; deletes every queue, exchange and Redis key it created,
 * also when it fails or is interrupted.
 * <p>
 * Standard output carries only the header, the JSON lines and the table; progress goes to
 * standard error.
 */
public final class Benchmark {

	private static final long STARTED = System.nanoTime();

	/** How long a worker may take to stop after SIGTERM before it is killed. */
	private static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(40);

	static final String NOOP = "bench.noop";

	static final String SLEEP = "bench.sleep";

	private final Settings settings;

	private final String runId;

	private final Broker broker;

	private final Registry registry;

	private final Set<Names> namesInUse = new LinkedHashSet<>();

	private final Map<Names, List<AutoCloseable>> open = new LinkedHashMap<>();

	private final Results results;

	private final Map<Integer, Double> rawByRun = new LinkedHashMap<>();

	private boolean cleanedUp;

	private Benchmark(Settings settings, String runId, Broker broker, Registry registry) {
		this.settings = settings;
		this.runId = runId;
		this.broker = broker;
		this.registry = registry;
		this.results = new Results(settings);
	}

	Settings settings() {
		return this.settings;
	}

	Broker broker() {
		return this.broker;
	}

	Registry registry() {
		return this.registry;
	}

	Results results() {
		return this.results;
	}

	/** RAW's figure of each run, for the ratios of the workloads after it. */
	Map<Integer, Double> rawByRun() {
		return this.rawByRun;
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
		Header.print(this.settings, this.runId, this.broker, this.registry);
		int status = 0;
		try {
			for (int run = 1; run <= this.settings.runs(); run++) {
				int r = run;
				if (this.settings.runs("RAW")) {
					attempt("RAW run " + run, () -> new RawWorkload(this).run(r));
				}
				if (this.settings.runs("W1")) {
					attempt("W1 run " + run, () -> new W1Workload(this).run(r));
				}
				if (this.settings.runs("W2") || this.settings.runs("W3")) {
					attempt("W2/W3 run " + run, () -> new W2W3Workload(this).run(r));
				}
			}
			if (this.settings.runs("L1")) {
				attempt("L1", () -> new L1Workload(this).run());
			}
		}
		catch (Exception ex) {
			System.err.println("bench: FAILED: " + ex);
			ex.printStackTrace();
			status = 1;
		}
		progress("done in " + Math.round(elapsedSeconds()) + " s" + ((status == 0) ? "" : ", FAILED"));
		this.results.printTable();
		return status;
	}

	/**
	 * Runs a workload, once more if it fails (the services are shared: another process
	 * may restart RabbitMQ or Redis under it). Its JSON lines are printed only once it
	 * succeeded.
	 */
	private void attempt(String what, Action workload) throws Exception {
		for (int attempt = 0;; attempt++) {
			this.results.discardPending();
			try {
				workload.run();
				this.results.printPending();
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

	/**
	 * Starts the real standalone worker (amqp-tasks-worker-app jar, the benchmark tasks
	 * on {@code -Dloader.path}) in a JVM of its own, as users run it.
	 * @param names the run's queue, exchange and key prefix
	 * @param maxRunningTasks {@code --max-running-tasks}, or 0 for the worker's default
	 * @param label names the log file
	 */
	WorkerProcess startWorker(Names names, int maxRunningTasks, String label) throws IOException {
		String name = this.runId + "-" + label;
		List<String> command = new ArrayList<>();
		command.add(this.settings.java().toString());
		command.add("-Dloader.path=" + this.settings.tasksJar().toAbsolutePath());
		command.addAll(this.settings.workerJavaOptions());
		command.add("-jar");
		command.add(this.settings.workerJar().toAbsolutePath().toString());
		if (maxRunningTasks > 0) {
			command.add("--max-running-tasks=" + maxRunningTasks);
		}
		command.addAll(names.springArguments(this.settings));
		command.add("--server.port=0");
		Path log = this.settings.logDir().resolve("worker-" + name + ".log");
		return WorkerProcess.start(name, new ProcessBuilder(command), log, WORKER_STOP_TIMEOUT, Benchmark::progress);
	}

	/**
	 * Waits until the worker consumes the queue.
	 */
	static void awaitConsuming(WorkerProcess worker, Broker broker, String queue, Duration timeout)
			throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (broker.consumers(queue) < 1) {
			worker.checkAlive();
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The worker did not consume '" + queue + "' within "
						+ timeout.toSeconds() + " s; see " + worker.logFile());
			}
			Thread.sleep(50);
		}
	}
	// ---------------------------------------------------------------- names and clean-up

	Names names(String workload, int run) {
		Names names = new Names("amqp-tasks-bench-" + this.runId + "-" + workload + ((run > 0) ? "-r" + run : ""));
		synchronized (this) {
			this.namesInUse.add(names);
		}
		return names;
	}

	synchronized <T extends AutoCloseable> T open(Names names, T resource) {
		this.open.computeIfAbsent(names, (key) -> new ArrayList<>()).add(resource);
		return resource;
	}

	/**
	 * Deletes what one run declared and stored, once its worker and producer are closed.
	 */
	synchronized void release(Names names) {
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

	static void progress(String message) {
		System.err.println(String.format(Locale.ROOT, "[bench %5.1fs] %s", elapsedSeconds(), message));
		System.err.flush();
	}

	private static double elapsedSeconds() {
		return (System.nanoTime() - STARTED) / 1e9;
	}

	Duration timeout() {
		return Duration.ofSeconds(this.settings.timeoutSeconds());
	}

}
