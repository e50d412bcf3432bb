package dev.amqptasks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A reference to an enqueued task, usable from any process that shares the registry.
 */
public interface TaskHandle {

	/**
	 * The task id.
	 * @return the id
	 */
	String id();

	/**
	 * Reads the task's current state from the registry.
	 * @return the task
	 * @throws TaskNotFoundException if the registry no longer has the task
	 */
	TaskInfo info();

	/**
	 * Reads the task's current status from the registry.
	 * @return the status
	 * @throws TaskNotFoundException if the registry no longer has the task
	 */
	default TaskStatus status() {
		return info().status();
	}

	/**
	 * Requests cancellation: a queued task is canceled at once, a running one is
	 * interrupted.
	 * @return the task after the request
	 * @throws IllegalTaskStateChangeException if the task already finished or errored
	 */
	TaskInfo cancel();

	/**
	 * Completes with the task once it reaches a final state. Completion is signalled by
	 * the registry (Redis pub/sub), not by polling.
	 * @return a future of the final task
	 */
	CompletableFuture<TaskInfo> completion();

	/**
	 * Waits for a final state.
	 * @param timeout how long to wait at most
	 * @return the final task
	 * @throws TimeoutException if the task is not final in time
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	TaskInfo await(Duration timeout) throws TimeoutException, InterruptedException;

}
