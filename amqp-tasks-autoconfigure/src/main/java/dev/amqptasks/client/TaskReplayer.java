package dev.amqptasks.client;

import java.util.UUID;

import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.spi.TaskRegistry;

import org.springframework.dao.DataAccessException;

/**
 * Runs an {@code errored} or {@code canceled} task again, as a new run: the registry
 * moves it back to {@code scheduled}, then a new message is published.
 */
public final class TaskReplayer {

	/**
	 * Calls of a replay to the registry, with one token, before its failure is the
	 * caller's.
	 */
	private static final int REPLAY_ATTEMPTS = 3;

	private final TaskRegistry registry;

	private final TaskPublisher publisher;

	public TaskReplayer(TaskRegistry registry, TaskPublisher publisher) {
		this.registry = registry;
		this.publisher = publisher;
	}

	/**
	 * Runs an {@code errored} or {@code canceled} task again, as a new run: attempts
	 * start from 0, and messages of earlier runs (a dead message moved back, a late
	 * retry) are skipped.
	 * @param id the task id
	 * @return the task, {@code scheduled}
	 * @throws dev.amqptasks.TaskNotFoundException if the task is unknown
	 * @throws dev.amqptasks.IllegalTaskStateChangeException if the task is not errored or
	 * canceled
	 * @throws TaskEnqueueException if the broker did not take the message
	 */
	public TaskInfo replay(String id) {
		TaskInfo task = replayInRegistry(id);
		try {
			this.publisher.publish(new TaskMessage(id, task.name(), task.args(), task.kwargs(), 0, task.replays()),
					null);
		}
		catch (TaskEnqueueException ex) {
			TaskEnqueuer.markUnpublished(this.registry, id, ex);
			throw ex;
		}
		return task;
	}

	/**
	 * Replays the task in the registry, trying again with the same token when the
	 * registry's reply is lost: the registry answers a repeated replay as it answered the
	 * first.
	 */
	private TaskInfo replayInRegistry(String id) {
		String token = UUID.randomUUID().toString();
		for (int attempt = 1;; attempt++) {
			try {
				return this.registry.replay(id, token);
			}
			catch (DataAccessException ex) {
				if (attempt == REPLAY_ATTEMPTS) {
					throw ex;
				}
			}
		}
	}

}
