package dev.amqptasks.workerapp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged worker jar in a JVM of its own, exactly as users run it, with the sample's tasks
 * jar on {@code -Dloader.path}. Its output goes to a file under {@code target/it-logs}, never to
 * an unread pipe that could fill up and block it.
 */
final class WorkerProcess implements AutoCloseable {

	static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	private static final Pattern WORKER_ID = Pattern.compile("Worker (\\S+) consuming '");

	private static final Pattern HTTP_PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String label;

	private final Process process;

	private final Path log;

	private WorkerProcess(String label, Process process, Path log) {
		this.label = label;
		this.process = process;
		this.log = log;
	}

	/**
	 * Starts a worker on a free HTTP port; it is not ready until {@link #awaitStarted()}.
	 * @param label names the log file (with the names' queue)
	 * @param names the queue, exchange and key prefix
	 * @param args further command-line arguments: connections (see {@link TaskNames#args()})
	 * and options
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	static WorkerProcess start(String label, TaskNames names, List<String> args) throws IOException {
		return start(label, names, args, true);
	}

	/**
	 * Starts a worker on a free HTTP port, with or without the sample's tasks; it is not ready
	 * until {@link #awaitStarted()}.
	 * @param label names the log file (with the names' queue)
	 * @param names the queue, exchange and key prefix
	 * @param args further command-line arguments: connections (see {@link TaskNames#args()})
	 * and options
	 * @param sampleTasks whether the sample's tasks jar is on {@code -Dloader.path}; without it
	 * the worker knows no task at all, like a worker whose deploy lacks the jar
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	static WorkerProcess start(String label, TaskNames names, List<String> args, boolean sampleTasks)
			throws IOException {
		Path workerJar = existingFile("worker.jar");
		Path logDir = workerJar.getParent().resolve("it-logs");
		Files.createDirectories(logDir);
		Path log = logDir.resolve(names.queue() + "-" + label + ".log");
		List<String> command = new ArrayList<>(List.of(java()));
		if (sampleTasks) {
			command.add("-Dloader.path=" + existingFile("sample.tasks.jar"));
		}
		command.addAll(List.of("-jar", workerJar.toString(), "--server.port=0"));
		command.addAll(args);
		Process process = processBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new WorkerProcess(label, process, log);
	}

	/**
	 * Waits until the worker has started and consumes its queue.
	 * @return this worker
	 */
	WorkerProcess awaitStarted() {
		try {
			await().atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(this::started);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("Worker " + this.label + " did not start within " + STARTUP_TIMEOUT + ":\n"
					+ log(), ex);
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
	 * The worker's id, as task views show it ({@code worker}).
	 * @return the id the worker logged when it started consuming
	 */
	String id() {
		Matcher id = WORKER_ID.matcher(log());
		assertThat(id.find()).as("worker %s logged its id", this.label).isTrue();
		return id.group(1);
	}

	/**
	 * The HTTP port the worker chose.
	 * @return the port it logged
	 */
	int httpPort() {
		Matcher port = HTTP_PORT.matcher(log());
		assertThat(port.find()).as("worker %s logged its HTTP port", this.label).isTrue();
		return Integer.parseInt(port.group(1));
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Kills the worker with SIGKILL (no shutdown hook runs, nothing is acknowledged or
	 * requeued by the worker itself) and waits until it is gone.
	 * @throws InterruptedException if interrupted while waiting
	 */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		assertThat(this.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
			.as("worker %s is gone after SIGKILL", this.label)
			.isTrue();
	}

	/**
	 * Freezes the worker with SIGSTOP, as a long GC pause, a VM migration or a suspended
	 * laptop does: it neither runs nor answers (not even AMQP heartbeats) until
	 * {@link #resume()}. A frozen worker can still be killed.
	 * @throws IOException if {@code kill} cannot be run
	 * @throws InterruptedException if interrupted while waiting for {@code kill}
	 */
	void pause() throws IOException, InterruptedException {
		signal("STOP");
	}

	/**
	 * Lets a worker frozen by {@link #pause()} go on (SIGCONT) where it stopped.
	 * @throws IOException if {@code kill} cannot be run
	 * @throws InterruptedException if interrupted while waiting for {@code kill}
	 */
	void resume() throws IOException, InterruptedException {
		signal("CONT");
	}

	private void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).redirectErrorStream(true).start();
		String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(kill.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("kill -%s ends", signal).isTrue();
		assertThat(kill.exitValue()).as("exit status of kill -%s %d: %s", signal, pid(), output).isZero();
	}

	/**
	 * The lines of the worker's log that contain all the given texts.
	 * @param texts what a line must contain, for example {@code "WARN"} and a phrase
	 * @return the matching lines, in order
	 */
	List<String> logLines(String... texts) {
		return log().lines().filter((line) -> Stream.of(texts).allMatch(line::contains)).toList();
	}

	/**
	 * Sends SIGTERM (a supervisor's request to stop) and returns at once; see
	 * {@link #awaitExit(Duration)}.
	 */
	void terminate() {
		this.process.destroy();
	}

	/**
	 * Waits until the process has exited by itself.
	 * @param timeout how long to wait at most
	 * @return its exit status, or empty if it still runs after the timeout
	 * @throws InterruptedException if interrupted while waiting
	 */
	OptionalInt awaitExit(Duration timeout) throws InterruptedException {
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
	HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
			.timeout(timeout)
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The stacks of the worker's threads ({@code jcmd <pid> Thread.print}), to show what a
	 * worker that does not do what it should is waiting for.
	 * @return the thread dump, or why there is none
	 */
	String threadDump() {
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
	 * Stops the worker as users do (SIGTERM: a graceful shutdown), forcibly if it takes too
	 * long.
	 * @return the exit status
	 * @throws InterruptedException if interrupted while waiting
	 */
	int stop() throws InterruptedException {
		stop(this.process);
		return this.process.exitValue();
	}

	@Override
	public void close() throws InterruptedException {
		stop(this.process);
	}

	/**
	 * The worker's output so far.
	 * @return the log, or a note saying why there is none
	 */
	String log() {
		try {
			return Files.exists(this.log) ? Files.readString(this.log, StandardCharsets.UTF_8) : "(no log)";
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	Path logFile() {
		return this.log;
	}

	@Override
	public String toString() {
		return "worker " + this.label + " (pid " + this.process.pid() + ", log " + this.log + ")";
	}

	static void stop(Process process) throws InterruptedException {
		if (process == null || !process.isAlive()) {
			return;
		}
		process.destroy();
		if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
	}

	static ProcessBuilder processBuilder(List<String> command) {
		ProcessBuilder builder = new ProcessBuilder(command);
		// The JVM announces these options on standard error, which would spoil the one-line check.
		builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
		return builder;
	}

	static Path existingFile(String systemProperty) {
		String path = System.getProperty(systemProperty);
		assertThat(path).as("system property %s (set by failsafe)", systemProperty).isNotBlank();
		assertThat(Path.of(path)).as("%s: run `./mvnw verify`, which packages it first", systemProperty)
			.isRegularFile();
		return Path.of(path).toAbsolutePath();
	}

	static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

}
