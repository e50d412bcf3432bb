package dev.amqptasks.client;

import java.util.concurrent.CompletableFuture;

import dev.amqptasks.TaskFailedException;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.task.TaskDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a caller holds of an enqueued task: a handle, or the future a
 * {@code CompletableFuture}-returning task method hands its caller.
 */
public final class TaskResults {

	private final TaskRegistry registry;

	private final JsonMapper json;

	public TaskResults(TaskRegistry registry, JsonMapper json) {
		this.registry = registry;
		this.json = json;
	}

	/**
	 * A handle to a task.
	 * @param id the task id
	 * @return the handle
	 */
	public DefaultTaskHandle handle(String id) {
		return new DefaultTaskHandle(id, this.registry);
	}

	/**
	 * The future a {@code CompletableFuture}-returning task method hands its caller.
	 * @param task the task
	 * @param id the task id
	 * @return a future completed with the converted result, or with a
	 * {@code TaskFailedException}
	 */
	public CompletableFuture<Object> result(TaskDefinition task, String id) {
		return this.registry.whenFinal(id).thenApply((info) -> convertResult(task, info));
	}

	private Object convertResult(TaskDefinition task, TaskInfo info) {
		if (info.status() != TaskStatus.FINISHED) {
			throw new TaskFailedException(info);
		}
		JsonNode result = info.result();
		if (result == null || result.isNull()) {
			return null;
		}
		return this.json.treeToValue(result, this.json.constructType(task.resultType()));
	}

}
