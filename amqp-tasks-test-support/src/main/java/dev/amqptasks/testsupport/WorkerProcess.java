package dev.amqptasks.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The standalone worker (the packaged amqp-tasks-worker-app jar, task jars on
 * {@code -Dloader.path}) in a JVM of its own, exactly as users run it. Its output goes to
 * a log file, never to an unread pipe that could fill up and block it. The caller builds
 * the command line: the worker app's ITs and the benchmark each know their own jars and
 * settings.
 */
public final class WorkerProcess implements AutoCloseable {

	/** How long a worker JVM may take to start (and a worker run to exit by itself). */
	public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	/**
	 * How long a worker may take to stop after SIGTERM (or to go after SIGKILL) by
	 * default.
	 */
	public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	private static final Pattern WORKER_ID = Pattern.compile("Worker (\\S+) consuming '");

	private static final Pattern HTTP_PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String label;

	private final Process process;

	private final Path log;

	private final Duration stopTimeout;

	private final Consumer<String> notes;

	private WorkerProcess(String label, Process process, Path log, Duration stopTimeout, Consumer<String> notes) {
		this.label = label;
		this.process = process;
		this.log = log;
		this.stopTimeout = stopTimeout;
		this.notes = notes;
	}

	/**
	 * Starts a worker; it is not ready until {@link #awaitStarted()} (or until it
	 * consumes). Stops within {@link #STOP_TIMEOUT} and says nothing when it must be
	 * killed.
	 * @param label names the worker in messages
	 * @param command the process to start, for example from {@link #processBuilder(List)}
	 * (its output is redirected here)
	 * @param log the file the worker's output (standard output and error) goes to; its
	 * directory is created
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	public static WorkerProcess start(String label, ProcessBuilder command, Path log) throws IOException {
		return start(label, command, log, STOP_TIMEOUT, (note) -> {
		});
	}

	/**
	 * Starts a worker; it is not ready until {@link #awaitStarted()} (or until it
	 * consumes).
	 * @param label names the worker in messages
	 * @param command the process to start (its output is redirected here)
	 * @param log the file the worker's output (standard output and error) goes to; its
	 * directory is created
	 * @param stopTimeout how long {@link #stop()} and {@link #close()} wait after SIGTERM
	 * before they kill the worker
	 * @param notes told when the worker must be killed because it did not stop in time
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	public static WorkerProcess start(String label, ProcessBuilder command, Path log, Duration stopTimeout,
			Consumer<String> notes) throws IOException {
		Path dir = log.toAbsolutePath().getParent();
		if (dir != null) {
			Files.createDirectories(dir);
		}
		Process process = command.redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new WorkerProcess(label, process, log, stopTimeout, notes);
	}

	/**
	 * A process builder for a worker JVM without the JVM-options variables of this one's
	 * environment ({@code JAVA_TOOL_OPTIONS} and the like): the JVM announces them on
	 * standard error, which would spoil checks of its output.
	 * @param command the command line
	 * @return the builder
	 */
	public static ProcessBuilder processBuilder(List<String> command) {
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
		return builder;
	}

	/**
	 * The {@code java} launcher of the JVM this runs in.
	 * @return its path
	 */
	public static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/**
	 * Waits until the worker has started ({@code Started WorkerApplication} in its log).
	 * @return this worker
	 * @throws AssertionError if it exits or does not start within
	 * {@link #STARTUP_TIMEOUT}
	 */
	public WorkerProcess awaitStarted() {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (!started()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError(
						"Worker " + this.label + " did not start within " + STARTUP_TIMEOUT + ":\n" + log());
			}
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("Interrupted while waiting for worker " + this.label + " to start", ex);
			}
		}
		return this;
	}

	private boolean started() {
		String log = log();
		if (!this.process.isAlive()) {
			throw new AssertionError(
					"Worker " + this.label + " exited with status " + this.process.exitValue() + ":\n" + log);
		}
		return log.contains("Started WorkerApplication");
	}

	/**
	 * Fails if the worker has exited.
	 * @throws IllegalStateException if it has, naming its exit status and log file
	 */
	public void checkAlive() {
		if (!this.process.isAlive()) {
			throw new IllegalStateException(
					"The worker exited with status " + this.process.exitValue() + "; see " + this.log);
		}
	}

	/**
	 * The worker's id, as task views show it ({@code worker}).
	 * @return the id the worker logged when it started consuming
	 * @throws AssertionError if it has not logged it
	 */
	public String id() {
		Matcher id = WORKER_ID.matcher(log());
		if (!id.find()) {
			throw new AssertionError("[worker " + this.label + " logged its id]");
		}
		return id.group(1);
	}

	/**
	 * The HTTP port the worker chose.
	 * @return the port it logged
	 * @throws AssertionError if it has not logged it
	 */
	public int httpPort() {
		Matcher port = HTTP_PORT.matcher(log());
		if (!port.find()) {
			throw new AssertionError("[worker " + this.label + " logged its HTTP port]");
		}
		return Integer.parseInt(port.group(1));
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * CPU time the worker process has used so far.
	 * @return the time, or zero if the system does not tell
	 */
	public Duration cpu() {
		return this.process.info().totalCpuDuration().orElse(Duration.ZERO);
	}

	/**
	 * The worker's peak resident set size so far (VmHWM), in MB.
	 * @return the size
	 * @throws IOException if {@code /proc/<pid>/status} cannot be read or lacks it
	 */
	public double peakRssMb() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
			if (line.startsWith("VmHWM:")) {
				String kilobytes = line.substring("VmHWM:".length()).replace("kB", "").trim();
				return Long.parseLong(kilobytes) / 1024.0;
			}
		}
		throw new IOException("No VmHWM in /proc/" + pid() + "/status");
	}

	/**
	 * Kills the worker with SIGKILL (no shutdown hook runs, nothing is acknowledged or
	 * requeued by the worker itself) and waits until it is gone.
	 * @throws InterruptedException if interrupted while waiting
	 * @throws AssertionError if it is not gone within {@link #STOP_TIMEOUT}
	 */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			throw new AssertionError("[worker " + this.label + " is gone after SIGKILL]");
		}
	}

	/**
	 * Freezes the worker with SIGSTOP, as a long GC pause, a VM migration or a suspended
	 * laptop does: it neither runs nor answers (not even AMQP heartbeats) until
	 * {@link #resume()}. A frozen worker can still be killed.
	 * @throws IOException if {@code kill} cannot be run
	 * @throws InterruptedException if interrupted while waiting for {@code kill}
	 */
	public void pause() throws IOException, InterruptedException {
		signal("STOP");
	}

	/**
	 * Lets a worker frozen by {@link #pause()} go on (SIGCONT) where it stopped.
	 * @throws IOException if {@code kill} cannot be run
	 * @throws InterruptedException if interrupted while waiting for {@code kill}
	 */
	public void resume() throws IOException, InterruptedException {
		signal("CONT");
	}

	private void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).redirectErrorStream(true)
			.start();
		String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!kill.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			throw new AssertionError("[kill -" + signal + " ends]");
		}
		if (kill.exitValue() != 0) {
			throw new AssertionError("[exit status of kill -" + signal + " " + pid() + ": " + output
					+ "] expected 0 but was " + kill.exitValue());
		}
	}

	/**
	 * The lines of the worker's log that contain all the given texts.
	 * @param texts what a line must contain, for example {@code "WARN"} and a phrase
	 * @return the matching lines, in order
	 */
	public List<String> logLines(String... texts) {
		return log().lines().filter((line) -> Stream.of(texts).allMatch(line::contains)).toList();
	}

	/**
	 * Sends SIGTERM (a supervisor's request to stop) and returns at once; see
	 * {@link #awaitExit(Duration)}.
	 */
	public void terminate() {
		this.process.destroy();
	}

	/**
	 * Waits until the process has exited by itself.
	 * @param timeout how long to wait at most
	 * @return its exit status, or empty if it still runs after the timeout
	 * @throws InterruptedException if interrupted while waiting
	 */
	public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
		if (this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			return OptionalInt.of(this.process.exitValue());
		}
		return OptionalInt.empty();
	}

	/**
	 * Sends a GET to the worker's HTTP port.
	 * @param path the path, for example {@code /actuator/health}
	 * @param timeout how long to wait for the answer
	 * @return the answer, whatever its status
	 * @throws IOException if there is no answer (connection refused, timeout)
	 * @throws InterruptedException if interrupted while waiting
	 */
	public HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
			.timeout(timeout)
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The stacks of the worker's threads ({@code jcmd <pid> Thread.print}), to show what
	 * a worker that does not do what it should is waiting for.
	 * @return the thread dump, or why there is none
	 */
	public String threadDump() {
		Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
		try {
			Process dump = processBuilder(List.of(jcmd.toString(), String.valueOf(pid()), "Thread.print"))
				.redirectErrorStream(true)
				.start();
			String output = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			dump.waitFor(30, TimeUnit.SECONDS);
			return output;
		}
		catch (IOException ex) {
			return "(no thread dump: " + ex + ")";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "(no thread dump: interrupted)";
		}
	}

	/**
	 * Stops the worker as users do (SIGTERM: a graceful shutdown), forcibly if it takes
	 * longer than the stop timeout.
	 * @return the exit status
	 * @throws InterruptedException if interrupted while waiting
	 */
	public int stop() throws InterruptedException {
		stop(this.process, this.stopTimeout, this.notes);
		return this.process.exitValue();
	}

	/**
	 * Stops the worker as {@link #stop()} does; if interrupted, kills it and keeps the
	 * interrupt. Stopping a stopped worker does nothing.
	 */
	@Override
	public void close() {
		try {
			stop(this.process, this.stopTimeout, this.notes);
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The worker's output so far.
	 * @return the log, or a note saying why there is none
	 */
	public String log() {
		try {
			return Files.exists(this.log) ? Files.readString(this.log, StandardCharsets.UTF_8) : "(no log)";
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	public Path logFile() {
		return this.log;
	}

	@Override
	public String toString() {
		return "worker " + this.label + " (pid " + this.process.pid() + ", log " + this.log + ")";
	}

	/**
	 * Stops a process with SIGTERM, and with SIGKILL if it is still there after
	 * {@link #STOP_TIMEOUT}.
	 * @param process the process, or {@code null}
	 * @throws InterruptedException if interrupted while waiting
	 */
	public static void stop(Process process) throws InterruptedException {
		stop(process, STOP_TIMEOUT, (note) -> {
		});
	}

	private static void stop(Process process, Duration timeout, Consumer<String> notes) throws InterruptedException {
		if (process == null || !process.isAlive()) {
			return;
		}
		process.destroy();
		if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			notes.accept("worker " + process.pid() + " did not stop within " + timeout.toSeconds() + " s, killing it");
			process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
	}

}
