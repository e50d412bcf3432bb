package dev.amqptasks.workerapp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.amqptasks.testsupport.WorkerProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker JVMs, the in-test producer and the proxies of one IT class, registered as a
 * static {@code @RegisterExtension} field: starts the producer before the tests, prints
 * every worker's log when a test fails, and afterwards kills the workers, closes the
 * proxies and deletes what the test created on the broker and in Redis.
 */
final class WorkerFleet implements BeforeAllCallback, AfterAllCallback, TestWatcher {

	private final TaskNames names;

	private final List<WorkerProcess> workers = new ArrayList<>();

	private final List<AutoCloseable> closeAfterAll = new ArrayList<>();

	private final List<String> producerArgs = new ArrayList<>();

	private ProducerContext producer;

	/**
	 * A fleet on the given names.
	 * @param names the queue, exchange and key prefix of the test
	 */
	WorkerFleet(TaskNames names) {
		this.names = names;
	}

	/**
	 * Gives the producer further settings, for those that must match the workers' (the
	 * registry's ttl, the retry delay of the declared delay queue).
	 * @param args command-line arguments such as {@code --amqp-tasks.registry.ttl=8s}
	 * @return this fleet
	 */
	WorkerFleet withProducerArgs(String... args) {
		this.producerArgs.addAll(List.of(args));
		return this;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		List<String> args = new ArrayList<>(this.names.args());
		args.addAll(this.producerArgs);
		this.producer = ProducerContext.start(this.names, args);
	}

	ProducerContext producer() {
		return this.producer;
	}

	/**
	 * Starts a worker JVM on the fleet's names with the given options and waits until it
	 * consumes.
	 * @param label names the worker's log file
	 * @param args the worker's command line (including {@code TaskNames#args})
	 * @return the started worker
	 * @throws IOException if the JVM cannot be started
	 */
	WorkerProcess start(String label, List<String> args) throws IOException {
		return launch(label, args).awaitStarted();
	}

	/**
	 * Starts a worker JVM on the fleet's names with the given options and returns at
	 * once, so that several workers start side by side; see
	 * {@link WorkerProcess#awaitStarted()}.
	 * @param label names the worker's log file
	 * @param args the worker's command line (including {@code TaskNames#args})
	 * @return the starting worker
	 * @throws IOException if the JVM cannot be started
	 */
	WorkerProcess launch(String label, List<String> args) throws IOException {
		return launch(label, args, true);
	}

	/**
	 * Starts a worker JVM without the sample's tasks jar, which knows no task at all, and
	 * waits until it consumes.
	 * @param label names the worker's log file
	 * @param args the worker's command line (including {@code TaskNames#args})
	 * @return the started worker
	 * @throws IOException if the JVM cannot be started
	 */
	WorkerProcess startWithoutTasks(String label, List<String> args) throws IOException {
		return launch(label, args, false).awaitStarted();
	}

	private WorkerProcess launch(String label, List<String> args, boolean sampleTasks) throws IOException {
		WorkerProcess worker = startWorker(label, this.names, args, sampleTasks);
		this.workers.add(worker);
		return worker;
	}

	/**
	 * Starts the packaged worker jar on a free HTTP port, with or without the sample's
	 * tasks jar on {@code -Dloader.path}, its output in {@code target/it-logs}; it is not
	 * ready until {@link WorkerProcess#awaitStarted()}.
	 * @param label names the log file (with the names' queue)
	 * @param names the queue, exchange and key prefix
	 * @param args further command-line arguments: connections (see
	 * {@link TaskNames#args()}) and options
	 * @param sampleTasks whether the sample's tasks jar is on {@code -Dloader.path};
	 * without it the worker knows no task at all, like a worker whose deploy lacks the
	 * jar
	 * @return the started process
	 * @throws IOException if the JVM cannot be started
	 */
	static WorkerProcess startWorker(String label, TaskNames names, List<String> args, boolean sampleTasks)
			throws IOException {
		Path workerJar = existingFile("worker.jar");
		Path log = workerJar.getParent().resolve("it-logs").resolve(names.queue() + "-" + label + ".log");
		List<String> command = new ArrayList<>(List.of(WorkerProcess.java()));
		if (sampleTasks) {
			command.add("-Dloader.path=" + existingFile("sample.tasks.jar"));
		}
		command.addAll(List.of("-jar", workerJar.toString(), "--server.port=0"));
		command.addAll(args);
		return WorkerProcess.start(label, WorkerProcess.processBuilder(command), log);
	}

	/**
	 * A file that failsafe names in a system property.
	 * @param systemProperty for example {@code worker.jar}
	 * @return its absolute path
	 */
	static Path existingFile(String systemProperty) {
		String path = System.getProperty(systemProperty);
		assertThat(path).as("system property %s (set by failsafe)", systemProperty).isNotBlank();
		assertThat(Path.of(path)).as("%s: run `./mvnw verify`, which packages it first", systemProperty)
			.isRegularFile();
		return Path.of(path).toAbsolutePath();
	}

	/**
	 * Closes the resource after all tests, before the producer's clean-up.
	 * @param resource a proxy or similar
	 * @return the resource
	 */
	<T extends AutoCloseable> T closeAfterAll(T resource) {
		this.closeAfterAll.add(resource);
		return resource;
	}

	@Override
	public void testFailed(ExtensionContext context, Throwable cause) {
		this.workers.forEach((worker) -> System.out.println("Log of " + worker + ":\n" + worker.log()));
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		try {
			for (WorkerProcess worker : this.workers) {
				worker.kill();
			}
			for (AutoCloseable resource : this.closeAfterAll) {
				resource.close();
			}
		}
		finally {
			if (this.producer != null) {
				this.producer.close();
			}
		}
	}

}
