package dev.amqptasks.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;

/**
 * The global view of every task. Producers, workers and the HTTP API share it; every change is
 * atomic and checked against {@link TaskTransitions}, so concurrent writers never lose an update
 * or move a task backwards. Every stored task expires after the configured time to live from
 * its last change.
 * <p>
 * Changes to a task that does not allow them throw {@link IllegalTaskStateChangeException};
 * changes to an unknown task throw {@link TaskNotFoundException}.
 */
public interface TaskRegistry {

	/**
	 * Stores a new task as {@code scheduled}, unless a task with the same id exists.
	 * @param task the task
	 * @return the stored task, and whether this call created it
	 */
	Creation create(NewTask task);

	/**
	 * Stores new tasks as {@link #create(NewTask)} does, in fewer round trips where the
	 * registry can: each is created unless its id exists, independently of the others.
	 * @param tasks the tasks
	 * @return what {@link #create(NewTask)} returns for each task, in the same order
	 */
	default List<Creation> createAll(List<NewTask> tasks) {
		return tasks.stream().map(this::create).toList();
	}

	/**
	 * Reads a task.
	 * @param id the task id
	 * @return the task, or empty if unknown or expired
	 */
	Optional<TaskInfo> find(String id);

	/**
	 * Lists tasks, newest first, from indexes (never by scanning every task).
	 * @param query filters, page size and cursor
	 * @return one page
	 */
	TaskPage list(TaskQuery query);

	/**
	 * Counts tasks per state and per name and state, from the indexes that every change keeps
	 * up to date (never by scanning every task). Counts may briefly include tasks that have just
	 * expired.
	 * @return the counts
	 */
	TaskCounts counts();

	/**
	 * Starts an attempt of a delivered message's task, deciding whether it may run:
	 * <ul>
	 * <li>a task the registry lost (expired) is stored again from the message, as running, with
	 * {@code task.attempts() + 1} attempts and the message's replay number: {@code RUN};</li>
	 * <li>a message older than the task's last replay ({@code task.replay()} below the stored
	 * replay number) is stale: {@code SKIP};</li>
	 * <li>a task {@code running} under a lease that has not expired belongs to a live worker
	 * (this message is a redelivery, for example after the broker's consumer timeout):
	 * {@code DEFER}, nothing changes (its worker
	 * stops it if its cancellation was requested);</li>
	 * <li>a task whose cancellation was requested becomes {@code canceled}: {@code SKIP};</li>
	 * <li>a final task is never run again: {@code SKIP};</li>
	 * <li>otherwise ({@code scheduled}, {@code retrying}, or {@code running} under an expired
	 * lease because its worker died): {@code running}, one more attempt, this worker, a lease
	 * until now plus {@code lease}, progress cleared: {@code RUN}.</li>
	 * </ul>
	 * @param task the task as carried by the message
	 * @param workerId the worker starting it
	 * @param lease how long the attempt is held without a renewal
	 * @return the decision, the state after the call and the attempt number
	 */
	StartOutcome start(NewTask task, String workerId, Duration lease);

	/**
	 * Starts attempts of many delivered messages, as {@link #start(NewTask, String, Duration)}
	 * does one by one, in fewer round trips where the registry can.
	 * @param tasks the tasks as their messages carry them
	 * @param workerId the worker
	 * @param lease how long the new attempts are held without a renewal
	 * @return the outcome of each, in the same order
	 */
	default List<StartOutcome> startAll(List<NewTask> tasks, String workerId, Duration lease) {
		return tasks.stream().map((task) -> start(task, workerId, lease)).toList();
	}

	/**
	 * Renews the leases of tasks this worker runs. Tasks that are not {@code running} on this
	 * worker are left alone.
	 * @param ids the ids of the tasks running on the worker
	 * @param workerId the worker
	 * @param lease how long from now the attempts are held
	 */
	void renewLeases(Collection<String> ids, String workerId, Duration lease);

	/**
	 * {@code running -> retrying}: the attempt failed and a retry is queued.
	 * @param id the task id
	 * @param error why the attempt failed
	 */
	void retry(String id, TaskError error);

	/**
	 * {@code running -> scheduled}: a worker shutting down gave the task back to the queue.
	 * @param id the task id
	 */
	void requeue(String id);

	/**
	 * {@code errored|canceled -> scheduled}, to run the task again: attempts start again from 0,
	 * the replay number grows by one (messages of earlier runs become stale), and the result,
	 * error, start and finish times, worker, progress and cancellation request are cleared. The
	 * event log records the replay.
	 * @param id the task id
	 * @return the task after the change
	 * @throws IllegalTaskStateChangeException if the task is not errored or canceled
	 */
	TaskInfo replay(String id);

	/**
	 * {@code running -> finished} with the result.
	 * @param id the task id
	 * @param resultJson the result as JSON text ({@code "null"} for no value)
	 */
	void finish(String id, String resultJson);

	/**
	 * Finishes many tasks, as {@link #finish(String, String)} does one by one, in fewer round
	 * trips where the registry can; each change is made or refused independently of the others.
	 * @param results the tasks and their results
	 * @return how each change ended, in the same order
	 */
	default List<ChangeOutcome> finishAll(List<TaskResult> results) {
		List<ChangeOutcome> outcomes = new ArrayList<>(results.size());
		for (TaskResult result : results) {
			try {
				finish(result.id(), result.resultJson());
				outcomes.add(ChangeOutcome.STORED);
			}
			catch (TaskNotFoundException | IllegalTaskStateChangeException ex) {
				outcomes.add(new ChangeOutcome(ex));
			}
		}
		return outcomes;
	}

	/**
	 * Moves a task to {@code errored} with the error.
	 * @param id the task id
	 * @param error why it failed
	 */
	void fail(String id, TaskError error);

	/**
	 * {@code running -> canceled}: the worker stopped a task whose cancellation was requested.
	 * @param id the task id
	 */
	void markCanceled(String id);

	/**
	 * Requests cancellation. A {@code scheduled} or {@code retrying} task becomes
	 * {@code canceled} at once; a {@code running} task is flagged and its worker is notified;
	 * a {@code canceled} task is left as it is.
	 * @param id the task id
	 * @return the task after the request
	 * @throws IllegalTaskStateChangeException if the task is {@code finished} or {@code errored}
	 */
	TaskInfo requestCancel(String id);

	/**
	 * Appends to the task's event log.
	 * @param id the task id
	 * @param message the message
	 */
	void log(String id, String message);

	/**
	 * Records a running task's progress.
	 * @param id the task id
	 * @param fraction from 0 to 1
	 */
	void progress(String id, double fraction);

	/**
	 * Which of the given tasks have a cancellation request: the fallback for a missed notice.
	 * @param ids task ids
	 * @return the ids with a request
	 */
	Set<String> cancelRequested(Collection<String> ids);

	/**
	 * Completes once the task is in a final state, as told by the registry's notifications.
	 * @param id the task id
	 * @return a future of the final task; it completes exceptionally with
	 * {@link TaskNotFoundException} if the task is unknown or expires
	 */
	CompletableFuture<TaskInfo> whenFinal(String id);

	/**
	 * Calls the listener with the id of every task whose cancellation is requested from now on,
	 * in any process.
	 * @param listener receives task ids
	 * @return a handle that stops the notifications when closed
	 */
	AutoCloseable onCancelRequested(Consumer<String> listener);

	/**
	 * The result of {@link #create(NewTask)}.
	 *
	 * @param task the stored task
	 * @param created whether this call stored it ({@code false}: the id existed)
	 */
	record Creation(TaskInfo task, boolean created) {
	}

	/**
	 * The result of {@link #start(NewTask, String, Duration)}.
	 *
	 * @param decision what the worker does with the message
	 * @param status the task's state after the call
	 * @param attempt the number of the attempt that starts, from 1
	 */
	record StartOutcome(Decision decision, TaskStatus status, int attempt) {

		/**
		 * Whether the worker should run the task now.
		 * @return whether the decision is {@link Decision#RUN}
		 */
		public boolean run() {
			return this.decision == Decision.RUN;
		}

	}

	/**
	 * A finished task's result, for {@link #finishAll(List)}.
	 *
	 * @param id the task id
	 * @param resultJson the result as JSON text
	 */
	record TaskResult(String id, String resultJson) {
	}

	/**
	 * How one change of a batch ended.
	 *
	 * @param refusal the exception that the one-task method throws for this change, or
	 * {@code null} if the change is stored
	 */
	record ChangeOutcome(RuntimeException refusal) {

		/** The change is stored. */
		public static final ChangeOutcome STORED = new ChangeOutcome(null);

		/**
		 * Throws the refusal, if the change was refused.
		 */
		public void orThrow() {
			if (this.refusal != null) {
				throw this.refusal;
			}
		}

	}

	/**
	 * What a worker does with a delivered message.
	 */
	enum Decision {

		/** Run the task now. */
		RUN,

		/** Acknowledge the message without running it: the task ended or the message is stale. */
		SKIP,

		/** Put the message back for later: a live worker holds the task. */
		DEFER

	}

}
