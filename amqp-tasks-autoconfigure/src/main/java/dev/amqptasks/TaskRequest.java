package dev.amqptasks;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One task to enqueue with {@link TaskClient#enqueueAll(List)}.
 *
 * @param task the task name
 * @param args positional arguments, converted to JSON
 * @param kwargs named arguments, converted to JSON
 * @param options the id and delay
 */
public record TaskRequest(String task, List<?> args, Map<String, ?> kwargs, EnqueueOptions options) {

	public TaskRequest {
		Objects.requireNonNull(task, "task");
		args = (args != null) ? args : List.of();
		kwargs = (kwargs != null) ? kwargs : Map.of();
		options = (options != null) ? options : EnqueueOptions.none();
	}

	/**
	 * A task with positional arguments, a generated id and no delay.
	 * @param task the task name
	 * @param args positional arguments, converted to JSON
	 * @return the request
	 */
	public static TaskRequest of(String task, Object... args) {
		return new TaskRequest(task, List.of(args), Map.of(), EnqueueOptions.none());
	}

}
