package dev.amqptasks.spi;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import dev.amqptasks.TaskStatus;

import static dev.amqptasks.TaskStatus.CANCELED;
import static dev.amqptasks.TaskStatus.ERRORED;
import static dev.amqptasks.TaskStatus.FINISHED;
import static dev.amqptasks.TaskStatus.RETRYING;
import static dev.amqptasks.TaskStatus.RUNNING;
import static dev.amqptasks.TaskStatus.SCHEDULED;

/**
 * The one table of allowed state changes. Both registries check every change against it
 * atomically.
 * <ul>
 * <li>{@code running -> running}: a message redelivered after its worker died starts a
 * new attempt.</li>
 * <li>{@code running -> scheduled}: a worker shutting down requeues a task it did not
 * finish.</li>
 * <li>{@code errored|canceled -> scheduled}: an explicit replay.</li>
 * <li>{@code finished} is a dead end: a finished task never runs again.</li>
 * </ul>
 * The named sets below derive, from the same table, the source states of each operation
 * that moves a task; a registry checks an operation against its set, and the HTTP API
 * validates requests with them.
 */
public final class TaskTransitions {

	private static final Map<TaskStatus, Set<TaskStatus>> ALLOWED = new EnumMap<>(TaskStatus.class);

	static {
		ALLOWED.put(SCHEDULED, EnumSet.of(RUNNING, CANCELED, ERRORED));
		ALLOWED.put(RUNNING, EnumSet.of(RUNNING, RETRYING, FINISHED, ERRORED, CANCELED, SCHEDULED));
		ALLOWED.put(RETRYING, EnumSet.of(RUNNING, CANCELED, ERRORED));
		ALLOWED.put(FINISHED, EnumSet.noneOf(TaskStatus.class));
		ALLOWED.put(ERRORED, EnumSet.of(SCHEDULED));
		ALLOWED.put(CANCELED, EnumSet.of(SCHEDULED));
	}

	/**
	 * The states that a cancellation request cancels at once: those that may be canceled
	 * and have no worker to stop ({@code scheduled}, {@code retrying}).
	 */
	public static final Set<TaskStatus> CANCELED_AT_ONCE = statesThat(CANCELED,
			(status) -> !status.isFinal() && status != RUNNING);

	/**
	 * The states in which a cancellation request flags the task for its worker to stop it
	 * ({@code running}).
	 */
	public static final Set<TaskStatus> CANCEL_FLAGGED = statesThat(CANCELED,
			(status) -> !status.isFinal() && status == RUNNING);

	/**
	 * The states in which a worker may report that it stopped a task ({@code running}).
	 */
	public static final Set<TaskStatus> STOPPED_BY_WORKER = CANCEL_FLAGGED;

	/**
	 * The states from which a worker may give a task back to the queue: those that may
	 * become {@code scheduled} without being final ({@code running}; a replay is not a
	 * requeue).
	 */
	public static final Set<TaskStatus> REQUEUED_FROM = statesThat(SCHEDULED, (status) -> !status.isFinal());

	/**
	 * The states that a replay runs again: the final ones that may become
	 * {@code scheduled} ({@code errored}, {@code canceled}), so that a running task is
	 * never replayed under its worker.
	 */
	public static final Set<TaskStatus> REPLAYED_FROM = statesThat(SCHEDULED, TaskStatus::isFinal);

	private TaskTransitions() {
	}

	/**
	 * Whether a task may change from one state to another.
	 * @param from the current state
	 * @param to the requested state
	 * @return whether the change is allowed
	 */
	public static boolean isAllowed(TaskStatus from, TaskStatus to) {
		return ALLOWED.get(from).contains(to);
	}

	/**
	 * The states from which a task may move to the given one.
	 * @param to the requested state
	 * @return the allowed source states
	 */
	public static Set<TaskStatus> sourcesOf(TaskStatus to) {
		Set<TaskStatus> sources = EnumSet.noneOf(TaskStatus.class);
		ALLOWED.forEach((from, targets) -> {
			if (targets.contains(to)) {
				sources.add(from);
			}
		});
		return Collections.unmodifiableSet(sources);
	}

	private static Set<TaskStatus> statesThat(TaskStatus to, Predicate<TaskStatus> filter) {
		Set<TaskStatus> states = EnumSet.noneOf(TaskStatus.class);
		sourcesOf(to).stream().filter(filter).forEach(states::add);
		return Collections.unmodifiableSet(states);
	}

}
