package dev.amqptasks.registry;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

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
 * <li>{@code running -> running}: a message redelivered after its worker died starts a new
 * attempt.</li>
 * <li>{@code running -> scheduled}: a worker shutting down requeues a task it did not finish.</li>
 * <li>{@code errored|canceled -> scheduled}: an explicit replay.</li>
 * <li>{@code finished} is a dead end: a finished task never runs again.</li>
 * </ul>
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

}
