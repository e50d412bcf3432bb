package dev.amqptasks.spi;

import java.util.Set;

import dev.amqptasks.TaskStatus;

/**
 * A listing request.
 *
 * @param statuses only tasks in one of these states; empty for all
 * @param name only tasks with this name, or {@code null}
 * @param limit the page size, 1 to {@link #MAX_LIMIT}
 * @param cursor where the previous page ended ({@link TaskPage#next()}), or {@code null}
 */
public record TaskQuery(Set<TaskStatus> statuses, String name, int limit, TaskCursor cursor) {

	/** The largest page. */
	public static final int MAX_LIMIT = 500;

	/** The page size when none is given. */
	public static final int DEFAULT_LIMIT = 50;

	public TaskQuery {
		statuses = Set.copyOf(statuses);
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
		}
	}

	/**
	 * All tasks, first page, default size.
	 * @return the query
	 */
	public static TaskQuery all() {
		return new TaskQuery(Set.of(), null, DEFAULT_LIMIT, null);
	}

}
