package dev.amqptasks.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.spi.TaskRegistry;

/**
 * A {@link TaskHandle} backed by the registry.
 */
final class DefaultTaskHandle implements TaskHandle {

	private final String id;

	private final TaskRegistry registry;

	DefaultTaskHandle(String id, TaskRegistry registry) {
		this.id = id;
		this.registry = registry;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public TaskInfo info() {
		return this.registry.find(this.id).orElseThrow(() -> new TaskNotFoundException(this.id));
	}

	@Override
	public TaskInfo cancel() {
		return this.registry.requestCancel(this.id);
	}

	@Override
	public CompletableFuture<TaskInfo> completion() {
		return this.registry.whenFinal(this.id);
	}

	@Override
	public TaskInfo await(Duration timeout) throws TimeoutException, InterruptedException {
		try {
			return completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	@Override
	public String toString() {
		return "TaskHandle[" + this.id + "]";
	}

}
