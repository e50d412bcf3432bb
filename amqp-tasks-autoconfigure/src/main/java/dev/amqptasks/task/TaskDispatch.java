package dev.amqptasks.task;

/**
 * Marks the one call by which a worker runs a task's method, so that the task's proxy
 * lets it through instead of enqueuing it again. Any other call to a task method,
 * including one made by the running task itself, still enqueues.
 */
public final class TaskDispatch {

	private static final ThreadLocal<TaskDefinition> DISPATCHING = new ThreadLocal<>();

	private TaskDispatch() {
	}

	static void begin(TaskDefinition task) {
		DISPATCHING.set(task);
	}

	/**
	 * Whether this call is the worker's dispatch of the task; the mark is used up by the
	 * check.
	 * @param task the task whose method is called
	 * @return whether to run the method rather than enqueue it
	 */
	public static boolean consume(TaskDefinition task) {
		if (DISPATCHING.get() == task) {
			DISPATCHING.remove();
			return true;
		}
		return false;
	}

	static void end() {
		DISPATCHING.remove();
	}

}
