package dev.amqptasks.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * The global view of every task. Producers, workers and the HTTP API share it; every
 * change is atomic and checked against {@link TaskTransitions}, so concurrent writers
 * never lose an update or move a task backwards. Every stored task expires after the
 * configured time to live from its last change.
 * <p>
 * Changes to a task that does not allow them throw
 * {@link IllegalTaskStateChangeException}; changes to an unknown task throw
 * {@link TaskNotFoundException}.
 * <p>
 * Attempts are fenced: each attempt holds its task under a token of its own, and what an
 * attempt stores (lease renewals, log entries, progress, its outcome) is refused with
 * {@link AttemptLostException} once another attempt holds the task, so that a worker that
 * was frozen past its lease can never overwrite the attempt that replaced it.
 * <p>
 * Lifetimes: a task is kept at least its time to live after its last change; a waiting
 * task at least until its delay has passed plus the time to live; an errored task at
 * least as long as its dead letter is kept. No change ever shortens a task's life.
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
	 * Counts tasks per state and per name and state, from the indexes that every change
	 * keeps up to date (never by scanning every task). Counts may briefly include tasks
	 * that have just expired.
	 * @return the counts
	 */
	TaskCounts counts();

	/**
	 * Starts an attempt of a delivered message's task, deciding whether it may run:
	 * <ul>
	 * <li>a task the registry lost is stored again from the message, as running, with
	 * {@code task.attempts() + 1} attempts and the message's replay number: {@code RUN};
	 * unless its entry may have expired as it was meant to (the message was sent, or its
	 * delay ended, longer than the time to live ago), where running it could undo a
	 * cancel or a finish: it is stored {@code errored} saying so,
	 * {@code DEAD_LETTER};</li>
	 * <li>a task {@code running} under the same token is this very delivery's attempt,
	 * started by a call whose reply was lost: {@code RUN} again, nothing changes;</li>
	 * <li>a message older than the task's last replay ({@code task.replay()} below the
	 * stored replay number) is stale: {@code SKIP};</li>
	 * <li>a task {@code running} under a lease that has not expired belongs to a live
	 * worker (this message is a redelivery, for example after the broker's consumer
	 * timeout): {@code DEFER} for the lease's time left, nothing changes (its worker
	 * stops it if its cancellation was requested);</li>
	 * <li>a task whose cancellation was requested becomes {@code canceled}:
	 * {@code SKIP};</li>
	 * <li>a final task is never run again: {@code SKIP};</li>
	 * <li>otherwise ({@code scheduled}, {@code retrying}, or {@code running} under an
	 * expired lease because its worker died): {@code running}, one more attempt, this
	 * worker and token, a lease until now plus {@code lease}, progress cleared:
	 * {@code RUN}.</li>
	 * </ul>
	 * @param request the task as carried by the message, and the token of the attempt
	 * @param workerId the worker starting it
	 * @param lease how long the attempt is held without a renewal
	 * @return the decision, the state after the call and the attempt number
	 */
	StartOutcome start(StartRequest request, String workerId, Duration lease);

	/**
	 * Starts attempts of many delivered messages, as
	 * {@link #start(StartRequest, String, Duration)} does one by one, in fewer round
	 * trips where the registry can.
	 * @param requests the tasks as their messages carry them, with their attempts' tokens
	 * @param workerId the worker
	 * @param lease how long the new attempts are held without a renewal
	 * @return the outcome of each, in the same order
	 */
	default List<StartOutcome> startAll(List<StartRequest> requests, String workerId, Duration lease) {
		return requests.stream().map((request) -> start(request, workerId, lease)).toList();
	}

	/**
	 * Renews the leases of attempts a worker runs, each only while that attempt holds its
	 * task.
	 * @param tokens the running attempts' tokens by task id
	 * @param lease how long from now the attempts are held
	 * @return the ids of the tasks whose attempt no longer holds them (another attempt
	 * took over, or the task ended or is gone): their attempts are lost
	 */
	Set<String> renewLeases(Map<String, String> tokens, Duration lease);

	/**
	 * {@code running -> retrying}: the attempt failed and a retry is queued.
	 * @param id the task id
	 * @param token the attempt's token
	 * @param error why the attempt failed
	 * @param delay how long until the retry's message is due: the task is kept at least
	 * until then plus its time to live
	 * @throws AttemptLostException if another attempt holds the task
	 */
	void retry(String id, String token, TaskError error, Duration delay);

	/**
	 * Gives back a task whose attempt a worker abandons (it is shutting down, or exiting
	 * because it is stuck): {@code running -> canceled} if its cancellation was
	 * requested, else {@code running -> scheduled}, and its lease is released so that its
	 * message runs again at once.
	 * @param id the task id
	 * @param token the attempt's token
	 * @return the state it went to
	 * @throws AttemptLostException if another attempt holds the task
	 */
	TaskStatus requeue(String id, String token);

	/**
	 * {@code errored|canceled -> scheduled}, to run the task again: attempts start again
	 * from 0, the replay number grows by one (messages of earlier runs become stale), and
	 * the result, error, start and finish times, worker, progress and cancellation
	 * request are cleared. The event log records the replay. A call repeated with the
	 * same token (because the reply to the first was lost) answers as the first did.
	 * @param id the task id
	 * @param token a token of this replay, unique to it
	 * @return the task after the change
	 * @throws IllegalTaskStateChangeException if the task is not errored or canceled
	 */
	TaskInfo replay(String id, String token);

	/**
	 * {@code running -> finished} with the result.
	 * @param id the task id
	 * @param token the attempt's token
	 * @param resultJson the result as JSON text ({@code "null"} for no value)
	 * @throws AttemptLostException if another attempt holds the task
	 */
	void finish(String id, String token, String resultJson);

	/**
	 * Finishes many tasks, as {@link #finish(String, String)} does one by one, in fewer
	 * round trips where the registry can; each change is made or refused independently of
	 * the others.
	 * @param results the tasks and their results
	 * @return how each change ended, in the same order
	 */
	default List<ChangeOutcome> finishAll(List<TaskResult> results) {
		List<ChangeOutcome> outcomes = new ArrayList<>(results.size());
		for (TaskResult result : results) {
			try {
				finish(result.id(), result.token(), result.resultJson());
				outcomes.add(ChangeOutcome.STORED);
			}
			catch (TaskNotFoundException | IllegalTaskStateChangeException | AttemptLostException ex) {
				outcomes.add(new ChangeOutcome(ex));
			}
		}
		return outcomes;
	}

	/**
	 * Moves a task to {@code errored} with the error.
	 * @param id the task id
	 * @param token the token of the attempt that failed, or {@code null} for a failure
	 * outside any attempt (a message that can never run), which is refused while an
	 * attempt's lease is live
	 * @param error why it failed
	 * @throws AttemptLostException if another attempt holds the task
	 */
	void fail(String id, String token, TaskError error);

	/**
	 * {@code running -> canceled}: the worker stopped a task whose cancellation was
	 * requested.
	 * @param id the task id
	 * @param token the attempt's token
	 * @throws AttemptLostException if another attempt holds the task
	 */
	void markCanceled(String id, String token);

	/**
	 * Requests cancellation. A {@code scheduled} or {@code retrying} task becomes
	 * {@code canceled} at once; a {@code running} task is flagged and its worker is
	 * notified; a {@code canceled} task is left as it is.
	 * @param id the task id
	 * @return the task after the request
	 * @throws IllegalTaskStateChangeException if the task is {@code finished} or
	 * {@code errored}
	 */
	TaskInfo requestCancel(String id);

	/**
	 * Appends to the task's event log.
	 * @param id the task id
	 * @param token the token of the attempt logging, or {@code null} for an entry from
	 * outside any attempt
	 * @param message the message
	 * @throws AttemptLostException if the token is given and another attempt holds the
	 * task
	 */
	void log(String id, String token, String message);

	/**
	 * Records a running task's progress.
	 * @param id the task id
	 * @param token the token of the attempt reporting it
	 * @param fraction from 0 to 1
	 * @throws AttemptLostException if another attempt holds the task
	 */
	void progress(String id, String token, double fraction);

	/**
	 * Which of the given tasks have a cancellation request: the fallback for a missed
	 * notice.
	 * @param ids task ids
	 * @return the ids with a request
	 */
	Set<String> cancelRequested(Collection<String> ids);

	/**
	 * Completes once the task is in a final state, as told by the registry's
	 * notifications.
	 * @param id the task id
	 * @return a future of the final task; it completes exceptionally with
	 * {@link TaskNotFoundException} if the task is unknown or expires
	 */
	CompletableFuture<TaskInfo> whenFinal(String id);

	/**
	 * Calls the listener with the id of every task whose cancellation is requested from
	 * now on, in any process.
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
	 * What {@link #start(StartRequest, String, Duration)} is asked to start.
	 *
	 * @param task the task as the delivered message carries it
	 * @param token the token of the attempt it would start, unique to the delivery: a
	 * start repeated with it is recognised as the same
	 */
	record StartRequest(NewTask task, String token) {

		public StartRequest {
			Objects.requireNonNull(task, "task");
			Objects.requireNonNull(token, "token");
		}

	}

	/**
	 * The result of {@link #start(StartRequest, String, Duration)}.
	 *
	 * @param decision what the worker does with the message
	 * @param status the task's state after the call
	 * @param attempt the number of the attempt that starts, from 1
	 * @param leaseLeft for {@link Decision#DEFER}, how long the live attempt's lease has
	 * left; {@link Duration#ZERO} otherwise
	 */
	record StartOutcome(Decision decision, TaskStatus status, int attempt, Duration leaseLeft) {

		/**
		 * An outcome with no lease left to wait for.
		 * @param decision what the worker does with the message
		 * @param status the task's state after the call
		 * @param attempt the number of the attempt that starts, from 1
		 */
		public StartOutcome(Decision decision, TaskStatus status, int attempt) {
			this(decision, status, attempt, Duration.ZERO);
		}

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
	 * @param token the token of the attempt that finished it
	 * @param resultJson the result as JSON text
	 */
	record TaskResult(String id, String token, String resultJson) {
	}

	/**
	 * How one change of a batch ended.
	 *
	 * @param refusal the exception that the one-task method throws for this change, or
	 * {@code null} if the change is stored
	 * @param status the state the task went to, where the change may end in more than
	 * one; {@code null} otherwise
	 */
	record ChangeOutcome(RuntimeException refusal, TaskStatus status) {

		/** The change is stored. */
		public static final ChangeOutcome STORED = new ChangeOutcome(null, null);

		/**
		 * A refused change.
		 * @param refusal the exception that the one-task method throws for this change
		 */
		public ChangeOutcome(RuntimeException refusal) {
			this(refusal, null);
		}

		/**
		 * Throws the refusal, if the change was refused.
		 * @return the state the task went to, if the change says
		 */
		public TaskStatus orThrow() {
			if (this.refusal != null) {
				throw this.refusal;
			}
			return this.status;
		}

	}

	/**
	 * What a worker does with a delivered message.
	 */
	enum Decision {

		/** Run the task now. */
		RUN,

		/**
		 * Acknowledge the message without running it: the task ended or the message is
		 * stale.
		 */
		SKIP,

		/** Put the message back for later: a live worker holds the task. */
		DEFER,

		/**
		 * Never run the message: the task's entry may have expired as it was meant to, so
		 * running it could undo a cancel or a finish. The task is stored {@code errored}
		 * saying so; the message goes to the error queue.
		 */
		DEAD_LETTER

	}

}
