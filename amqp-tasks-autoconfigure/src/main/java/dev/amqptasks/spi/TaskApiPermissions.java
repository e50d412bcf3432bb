package dev.amqptasks.spi;

import dev.amqptasks.TaskInfo;

/**
 * What the caller of the current request may do with the task API and the dashboard,
 * beyond reading: the dashboard shows only the buttons the caller may use, and the task
 * views hide what the caller may not see. It decides nothing about access itself: that is
 * the job of the security filter chain in front of the API.
 * <p>
 * With Spring Security, amqp-tasks provides one that reads the caller's authorities
 * ({@code amqp-tasks.security.*}); without it, {@link #unrestricted()} applies. Define a
 * bean of this type to decide otherwise.
 */
public interface TaskApiPermissions {

	/**
	 * Whether the caller may cancel, retry and enqueue tasks.
	 * @return whether the caller may manage tasks
	 */
	boolean canManage();

	/**
	 * Whether the caller may see the arguments and results of tasks, which may carry
	 * secrets (request headers, tokens, personal data).
	 * @return whether the caller may debug tasks
	 */
	boolean canDebug();

	/**
	 * The task as the caller may see it: without {@link #canDebug()}, its arguments and
	 * result are replaced by {@code null}; its error (type and message) is kept.
	 * @param task the task
	 * @return the task, or a copy without what the caller may not see
	 */
	default TaskInfo redact(TaskInfo task) {
		if (canDebug()) {
			return task;
		}
		return new TaskInfo(task.id(), task.name(), task.status(), null, null, null, task.error(), task.attempts(),
				task.maxRetries(), task.createdAt(), task.startedAt(), task.finishedAt(), task.updatedAt(),
				task.worker(), task.progress(), task.eventlog(), task.replays());
	}

	/**
	 * Everything is allowed: for applications without Spring Security, whose owner
	 * secures the paths in another way (or not at all).
	 * @return permissions that allow everything
	 */
	static TaskApiPermissions unrestricted() {
		return UnrestrictedTaskApiPermissions.INSTANCE;
	}

}
