package dev.amqptasks;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Enqueues tasks by name, for code that does not have the task's class, and looks tasks
 * up. Calling an {@link AmqpTask} method through its bean does the same for typed code.
 */
public interface TaskClient {

	/**
	 * Enqueues a task. Returns once the registry holds it as {@code scheduled} and the
	 * broker has confirmed the message.
	 * @param task the task name
	 * @param args positional arguments, converted to JSON
	 * @param kwargs named arguments, converted to JSON
	 * @param options the id and delay
	 * @return a handle to the task (to the existing one when the id was already used)
	 * @throws InvalidTaskArgumentsException if the task is known here and the arguments
	 * do not bind to its parameters
	 * @throws TaskTooLargeException if the task's message would be larger than workers
	 * accept ({@code amqp-tasks.worker.max-message-size}); nothing is stored
	 * @throws IllegalArgumentException if the options' id is not a valid task id
	 * ({@link TaskIds})
	 * @throws TaskEnqueueException if the broker did not confirm the message
	 */
	TaskHandle enqueue(String task, List<?> args, Map<String, ?> kwargs, EnqueueOptions options);

	/**
	 * Enqueues a task with a generated id and no delay.
	 * @param task the task name
	 * @param args positional arguments, converted to JSON
	 * @param kwargs named arguments, converted to JSON
	 * @return a handle to the task
	 * @see #enqueue(String, List, Map, EnqueueOptions)
	 */
	default TaskHandle enqueue(String task, List<?> args, Map<String, ?> kwargs) {
		return enqueue(task, args, kwargs, EnqueueOptions.none());
	}

	/**
	 * Enqueues a task with positional arguments only.
	 * @param task the task name
	 * @param args positional arguments, converted to JSON
	 * @return a handle to the task
	 * @see #enqueue(String, List, Map, EnqueueOptions)
	 */
	default TaskHandle enqueue(String task, Object... args) {
		return enqueue(task, List.of(args), Map.of(), EnqueueOptions.none());
	}

	/**
	 * Enqueues many tasks with one call. The starter's client does it far faster than one
	 * call each: the tasks are stored and published in batches, and the call returns once
	 * the broker has confirmed every message. It checks the arguments of all of them
	 * first, so that bad input enqueues none. This default enqueues them one by one,
	 * stopping at the first failure.
	 * @param requests the tasks
	 * @return a handle to each task, in the order of the requests
	 * @throws InvalidTaskArgumentsException if a task is known here and its arguments do
	 * not bind to its parameters (with the starter's client, no task is enqueued)
	 * @throws TaskEnqueueException if some tasks could not be stored or published: with
	 * the starter's client, the others are enqueued, those that failed are
	 * {@code errored} in the registry, and the exception names the first of them and
	 * carries the others as suppressed exceptions
	 */
	default List<TaskHandle> enqueueAll(List<TaskRequest> requests) {
		return requests.stream()
			.map((request) -> enqueue(request.task(), request.args(), request.kwargs(), request.options()))
			.toList();
	}

	/**
	 * A handle to an existing task.
	 * @param id the task id
	 * @return the handle, or empty if the registry does not know the id
	 */
	Optional<TaskHandle> find(String id);

}
