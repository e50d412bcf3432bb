package dev.amqptasks.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real standalone worker (amqp-tasks-worker-app jar, the benchmark tasks on
 * {@code -Dloader.path}) in a JVM of its own, as users run it.
 */
final class WorkerProcess implements AutoCloseable {

	private final Process process;

	private final Path log;

	private WorkerProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	/**
	 * Starts a worker.
	 * @param settings the benchmark settings (JDK, jars, connections)
	 * @param names the run's queue, exchange and key prefix
	 * @param maxRunningTasks {@code --max-running-tasks}, or 0 for the worker's default
	 * @param label names the log file
	 */
	static WorkerProcess start(Settings settings, Names names, int maxRunningTasks, String label) throws IOException {
		Files.createDirectories(settings.logDir());
		Path log = settings.logDir().resolve("worker-" + label + ".log");
		List<String> command = new ArrayList<>();
		command.add(settings.java().toString());
		command.add("-Dloader.path=" + settings.tasksJar().toAbsolutePath());
		command.addAll(settings.workerJavaOptions());
		command.add("-jar");
		command.add(settings.workerJar().toAbsolutePath().toString());
		if (maxRunningTasks > 0) {
			command.add("--max-running-tasks=" + maxRunningTasks);
		}
		command.addAll(names.springArguments(settings));
		command.add("--server.port=0");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile());
		return new WorkerProcess(builder.start(), log);
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * CPU time the worker process has used so far.
	 */
	Duration cpu() {
		return this.process.info().totalCpuDuration().orElse(Duration.ZERO);
	}

	Path log() {
		return this.log;
	}

	/**
	 * Waits until the worker consumes the queue.
	 */
	void awaitConsuming(Broker broker, String queue, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (broker.consumers(queue) < 1) {
			checkAlive();
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The worker did not consume '" + queue + "' within "
						+ timeout.toSeconds() + " s; see " + this.log);
			}
			Thread.sleep(50);
		}
	}

	void checkAlive() {
		if (!this.process.isAlive()) {
			throw new IllegalStateException("The worker exited with status " + this.process.exitValue() + "; see "
					+ this.log);
		}
	}

	/**
	 * The worker's peak resident set size so far (VmHWM), in MB.
	 */
	double peakRssMb() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
			if (line.startsWith("VmHWM:")) {
				String kilobytes = line.substring("VmHWM:".length()).replace("kB", "").trim();
				return Long.parseLong(kilobytes) / 1024.0;
			}
		}
		throw new IOException("No VmHWM in /proc/" + pid() + "/status");
	}

	/**
	 * Stops the worker as users do (SIGTERM: a graceful shutdown), forcibly if it takes too long.
	 */
	@Override
	public void close() {
		if (!this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(40, TimeUnit.SECONDS)) {
				Benchmark.progress("worker " + pid() + " did not stop within 40 s, killing it");
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
