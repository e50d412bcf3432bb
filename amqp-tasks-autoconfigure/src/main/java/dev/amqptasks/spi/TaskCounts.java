package dev.amqptasks.spi;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

import dev.amqptasks.TaskStatus;

/**
 * How many tasks the registry holds in each state, in all and per task name. The counts
 * come from the registry's indexes as they are kept up to date by every change, never
 * from scanning the tasks, so they are cheap however many tasks are stored. They may
 * briefly include tasks that have just expired, until the registry drops them from its
 * indexes.
 *
 * @param byStatus the number of tasks in each state; every state is present
 * @param byName for each task name with at least one task, the number of its tasks in
 * each state (every state present), names in their natural order
 */
public record TaskCounts(Map<TaskStatus, Long> byStatus, Map<String, Map<TaskStatus, Long>> byName) {

	public TaskCounts {
		byStatus = complete(byStatus);
		Map<String, Map<TaskStatus, Long>> names = new TreeMap<>();
		byName.forEach((name, counts) -> {
			Map<TaskStatus, Long> complete = complete(counts);
			if (total(complete) > 0) {
				names.put(name, complete);
			}
		});
		byName = Collections.unmodifiableMap(names);
	}

	/**
	 * No tasks at all.
	 * @return the counts of an empty registry
	 */
	public static TaskCounts empty() {
		return new TaskCounts(Map.of(), Map.of());
	}

	/**
	 * The number of tasks in a state.
	 * @param status the state
	 * @return the count
	 */
	public long count(TaskStatus status) {
		return this.byStatus.get(status);
	}

	/**
	 * The number of tasks with a name in a state.
	 * @param name the task name
	 * @param status the state
	 * @return the count, 0 for a name without tasks
	 */
	public long count(String name, TaskStatus status) {
		Map<TaskStatus, Long> counts = this.byName.get(name);
		return (counts != null) ? counts.get(status) : 0;
	}

	/**
	 * The number of tasks in any state.
	 * @return the total
	 */
	public long total() {
		return total(this.byStatus);
	}

	private static long total(Map<TaskStatus, Long> counts) {
		return counts.values().stream().mapToLong(Long::longValue).sum();
	}

	/** Every state with its count, 0 for those not given, in the order of the states. */
	private static Map<TaskStatus, Long> complete(Map<TaskStatus, Long> counts) {
		Map<TaskStatus, Long> complete = new EnumMap<>(TaskStatus.class);
		for (TaskStatus status : TaskStatus.values()) {
			Long count = counts.get(status);
			if (count != null && count < 0) {
				throw new IllegalArgumentException("The count of " + status.value() + " must not be negative");
			}
			complete.put(status, (count != null) ? count : 0L);
		}
		return Collections.unmodifiableMap(complete);
	}

}
