package dev.amqptasks.spi;

/**
 * Names of the AMQP headers amqp-tasks sets on its messages.
 */
public final class TaskHeaders {

	/** The task name, so that tools can tell messages apart without parsing the body. */
	public static final String TASK = "x-amqp-tasks-task";

	/**
	 * Attempts started before the message was sent: survives the registry losing the
	 * task.
	 */
	public static final String ATTEMPTS = "x-amqp-tasks-attempts";

	/** The task's replay number when the message was sent: older messages are stale. */
	public static final String REPLAY = "x-amqp-tasks-replay";

	/**
	 * When the message was sent (epoch ms): a task the registry no longer has is stored
	 * again from its message only while its entry cannot have expired as it was meant to.
	 */
	public static final String SENT_AT = "x-amqp-tasks-sent-at";

	/**
	 * When a worker first found the message's task unknown (epoch ms): the message is put
	 * back for a worker that knows the task, up to the worker's unknown-task timeout.
	 */
	public static final String UNKNOWN_SINCE = "x-amqp-tasks-unknown-since";

	/**
	 * When the task may run at the earliest, in milliseconds since the epoch: a worker
	 * that receives the message sooner sends it on through the delay queues.
	 */
	public static final String NOT_BEFORE = "x-amqp-tasks-not-before";

	/**
	 * How many milliseconds after {@link #NOT_BEFORE} a delay may end, set when it
	 * started: the lateness each later hop may still round it up by.
	 */
	public static final String DELAY_SLACK = "x-amqp-tasks-delay-slack";

	/** Why a message in the error queue was dead-lettered. */
	public static final String DEAD_LETTER_REASON = "x-amqp-tasks-dead-letter-reason";

	/** The exception type of a task's final failure, on messages in the error queue. */
	public static final String ERROR_TYPE = "x-amqp-tasks-error-type";

	/** The exception message of a task's final failure (at most 1000 characters). */
	public static final String ERROR_MESSAGE = "x-amqp-tasks-error-message";

	private TaskHeaders() {
	}

}
