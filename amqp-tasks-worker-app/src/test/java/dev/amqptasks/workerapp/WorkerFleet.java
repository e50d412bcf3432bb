package dev.amqptasks.workerapp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The worker JVMs, the in-test producer and the proxies of one IT class, registered as a static
 * {@code @RegisterExtension} field: starts the producer before the tests, prints every worker's
 * log when a test fails, and afterwards kills the workers, closes the proxies and deletes what
 * the test created on the broker and in Redis.
 */
final class WorkerFleet implements BeforeAllCallback, AfterAllCallback, TestWatcher {

	private final TaskNames names;

	private final List<WorkerProcess> workers = new ArrayList<>();

	private final List<AutoCloseable> closeAfterAll = new ArrayList<>();

	private ProducerContext producer;

	/**
	 * A fleet on the given names.
	 * @param names the queue, exchange and key prefix of the test
	 */
	WorkerFleet(TaskNames names) {
		this.names = names;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.producer = ProducerContext.start(this.names);
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
		WorkerProcess worker = WorkerProcess.start(label, this.names, args);
		this.workers.add(worker);
		return worker.awaitStarted();
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
