package dev.amqptasks.e2e;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.NonRetryableTaskException;
import dev.amqptasks.TaskContext;
import dev.amqptasks.TaskHandle;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Tasks used by the end-to-end tests.
 */
public class TestTasks {

	private final ObjectProvider<TestTasks> self;

	public TestTasks(ObjectProvider<TestTasks> self) {
		this.self = self;
	}

	@AmqpTask("test.echo")
	public CompletableFuture<JsonNode> echo(JsonNode value) {
		return CompletableFuture.completedFuture(value);
	}

	@AmqpTask("test.add")
	public CompletableFuture<Integer> add(int a, int b) {
		return CompletableFuture.completedFuture(a + b);
	}

	@AmqpTask(name = "test.fail", maxRetries = 0)
	public CompletableFuture<String> fail(String message) {
		throw new IllegalStateException(message);
	}

	@AmqpTask("test.sleep")
	public TaskHandle sleep(double seconds, EnqueueOptions options) throws InterruptedException {
		Thread.sleep((long) (seconds * 1000));
		return null;
	}

	@AmqpTask("test.progress")
	public void progress(int steps, TaskContext context) {
		for (int i = 1; i <= steps; i++) {
			context.log("step " + i);
			context.progress(i / (double) steps);
		}
	}

	/**
	 * Logs and reports progress step by step, slowly enough to be watched on the
	 * dashboard.
	 */
	@AmqpTask(name = "test.steps", maxRetries = 0)
	public void steps(int steps, double secondsPerStep, TaskContext context) throws InterruptedException {
		for (int i = 1; i <= steps; i++) {
			Thread.sleep((long) (secondsPerStep * 1000));
			context.log("step " + i + " of " + steps);
			context.progress(i / (double) steps);
		}
	}

	/** Enqueues {@code test.add} through the bean, from inside a running task. */
	@AmqpTask("test.spawn")
	public CompletableFuture<String> spawn(int a, int b, TaskContext context) {
		TaskHandle child = this.self.getObject().addWithId(a, b, EnqueueOptions.withId(context.id() + "-child"));
		return CompletableFuture.completedFuture(child.id());
	}

	@AmqpTask("test.add-with-id")
	public TaskHandle addWithId(int a, int b, EnqueueOptions options) {
		return null;
	}

	@AmqpTask(name = "test.flaky", maxRetries = 2, retryDelay = "300ms")
	public CompletableFuture<Integer> flaky(int failures, TaskContext context) {
		if (context.attempt() <= failures) {
			throw new IllegalStateException("attempt " + context.attempt() + " fails");
		}
		return CompletableFuture.completedFuture(context.attempt());
	}

	/** Fails three times, logging when each attempt starts: the retries' delays grow. */
	@AmqpTask(name = "test.backoff", maxRetries = 3, retryDelay = "200ms", retryMultiplier = 2)
	public void backoff(TaskContext context) {
		context.log("attempt " + context.attempt());
		if (context.attempt() <= 3) {
			throw new IllegalStateException("not yet");
		}
	}

	/**
	 * Fails, and its one retry waits 45 days: longer than the top step of the delay
	 * ladder.
	 */
	@AmqpTask(name = "test.retry-late", maxRetries = 1, retryDelay = "45d", retryMultiplier = 2, retryMaxDelay = "49d")
	public void retryLate() {
		throw new IllegalStateException("try again in 45 days");
	}

	/** Fails once, logging when each attempt starts; its retry waits 3 s. */
	@AmqpTask(name = "test.backoff-beyond-the-top", maxRetries = 1, retryDelay = "3s")
	public void backoffBeyondTheTop(TaskContext context) {
		context.log("attempt " + context.attempt());
		if (context.attempt() == 1) {
			throw new IllegalStateException("not yet");
		}
	}

	@AmqpTask(name = "test.non-retryable", maxRetries = 5, retryDelay = "300ms")
	public void nonRetryable() {
		throw new NonRetryableTaskException("no point trying again");
	}

	@AmqpTask(name = "test.no-retry-for", maxRetries = 5, retryDelay = "300ms",
			noRetryFor = IllegalArgumentException.class)
	public void noRetryFor() {
		throw new IllegalArgumentException("listed as not worth a retry");
	}

	@AmqpTask(name = "test.slow", timeout = "500ms", maxRetries = 0)
	public void slow(double seconds) throws InterruptedException {
		Thread.sleep((long) (seconds * 1000));
	}

	/** Fails unless its switch is on: a failure that a replay can mend. */
	@AmqpTask(name = "test.switch", maxRetries = 0)
	public CompletableFuture<String> switched(String key) {
		if (!SWITCHES.contains(key)) {
			throw new IllegalStateException("switch " + key + " is off");
		}
		return CompletableFuture.completedFuture("on");
	}

	/** Switches of {@code test.switch} that are on. */
	public static final Set<String> SWITCHES = ConcurrentHashMap.newKeySet();

}
