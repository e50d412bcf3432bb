package dev.amqptasks.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a benchmark run does, from environment variables (see docs/performance.md).
 */
record Settings(int runs, int n, int w2N, int w3N, int l1N, int producerThreads, int bulkSize, int rawSeconds,
		int rawPrefetch, int w3Rate, int w2MaxRunningTasks, int warmup, int l1Requests, int l1Walks,
		Set<String> workloads, String rabbitHost, int rabbitPort, String redisHost, int redisPort, Path java,
		Path workerJar, Path tasksJar, Path logDir, List<String> workerJavaOptions, int timeoutSeconds, int retries) {

	static final List<String> ALL_WORKLOADS = List.of("RAW", "W1", "W2", "W3", "L1");

	static Settings fromEnvironment(Map<String, String> env) {
		Set<String> workloads = new LinkedHashSet<>();
		for (String workload : env.getOrDefault("WORKLOADS", String.join(",", ALL_WORKLOADS)).split("[,\\s]+")) {
			if (workload.isBlank()) {
				continue;
			}
			String upper = workload.toUpperCase(Locale.ROOT);
			if (!ALL_WORKLOADS.contains(upper)) {
				throw new IllegalArgumentException(
						"WORKLOADS: unknown workload '" + workload + "', known are " + ALL_WORKLOADS);
			}
			workloads.add(upper);
		}
		List<String> workerJavaOptions = new ArrayList<>();
		String options = env.getOrDefault("WORKER_JAVA_OPTS", "").trim();
		if (!options.isEmpty()) {
			workerJavaOptions.addAll(Arrays.asList(options.split("\\s+")));
		}
		return new Settings(positive(env, "RUNS", 3), positive(env, "N", 20_000), positive(env, "W2_N", 2_000),
				positive(env, "W3_N", 2_000), positive(env, "L1_N", 100_000), positive(env, "PRODUCER_THREADS", 32),
				positive(env, "BULK_SIZE", 500), positive(env, "RAW_SECONDS", 15), atLeastZero(env, "RAW_PREFETCH", 0),
				positive(env, "W3_RATE", 200), positive(env, "W2_MAX_RUNNING_TASKS", 1000),
				atLeastZero(env, "WARMUP", 500), positive(env, "L1_REQUESTS", 200), positive(env, "L1_WALKS", 10),
				workloads, env.getOrDefault("RABBIT_HOST", "127.0.0.1"), positive(env, "RABBIT_PORT", 5672),
				env.getOrDefault("REDIS_HOST", "127.0.0.1"), positive(env, "REDIS_PORT", 6379), java(env),
				file(env, "BENCH_WORKER_JAR"), file(env, "BENCH_TASKS_JAR"),
				Path.of(env.getOrDefault("BENCH_LOG_DIR", "target/bench")), List.copyOf(workerJavaOptions),
				positive(env, "BENCH_TIMEOUT", 300), atLeastZero(env, "BENCH_RETRIES", 1));
	}

	boolean runs(String workload) {
		return this.workloads.contains(workload);
	}

	private static Path java(Map<String, String> env) {
		String configured = env.get("BENCH_JAVA");
		if (configured != null && !configured.isBlank()) {
			Path path = Path.of(configured);
			return Files.isDirectory(path) ? path.resolve("bin").resolve("java") : path;
		}
		return Path.of(System.getProperty("java.home"), "bin", "java");
	}

	private static Path file(Map<String, String> env, String name) {
		String value = env.get(name);
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " is not set (bench/run sets it)");
		}
		Path path = Path.of(value);
		if (!Files.isRegularFile(path)) {
			throw new IllegalArgumentException(name + ": no such file " + path);
		}
		return path;
	}

	private static int positive(Map<String, String> env, String name, int defaultValue) {
		int value = integer(env, name, defaultValue);
		if (value < 1) {
			throw new IllegalArgumentException(name + " must be at least 1, was " + value);
		}
		return value;
	}

	private static int atLeastZero(Map<String, String> env, String name, int defaultValue) {
		int value = integer(env, name, defaultValue);
		if (value < 0) {
			throw new IllegalArgumentException(name + " must not be negative, was " + value);
		}
		return value;
	}

	private static int integer(Map<String, String> env, String name, int defaultValue) {
		String value = env.get(name);
		if (value == null || value.isBlank()) {
			return defaultValue;
		}
		try {
			return Integer.parseInt(value.trim().replace("_", ""));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
		}
	}

}
