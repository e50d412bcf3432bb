package dev.amqptasks.spi;

import java.util.List;

import dev.amqptasks.TaskInfo;

/**
 * One page of a listing, newest first.
 *
 * @param items the tasks
 * @param next the cursor of the next page, or {@code null} on the last page
 */
public record TaskPage(List<TaskInfo> items, TaskCursor next) {

	public TaskPage {
		items = List.copyOf(items);
	}

}
