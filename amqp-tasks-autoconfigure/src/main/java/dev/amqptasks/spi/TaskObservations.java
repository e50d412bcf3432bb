package dev.amqptasks.spi;

/**
 * Names of the Micrometer observations amqp-tasks makes and of their keys. An enqueue's
 * observation is the parent of the message's publish; an attempt's observation has the
 * message's receive as its parent, so that with a tracer one trace shows the request that
 * enqueued a task, the publish and every run. With a meter registry each observation is
 * also a timer, tagged with its low-cardinality keys only.
 */
public final class TaskObservations {

	/** Around an enqueue: checking the arguments, storing the task and publishing it. */
	public static final String ENQUEUE = "amqp.tasks.enqueue";

	/**
	 * Around one attempt of a task in a worker, from its start until its outcome is
	 * stored.
	 */
	public static final String EXECUTION = "amqp.tasks.execution";

	/** Low-cardinality key: the task name. */
	public static final String TASK = "task";

	/**
	 * Low-cardinality key of {@link #EXECUTION}: how the attempt ended, {@code finished},
	 * {@code retrying}, {@code errored}, {@code canceled}, or {@code requeued}
	 * (interrupted by its worker's shutdown).
	 */
	public static final String OUTCOME = "outcome";

	/** High-cardinality key (spans only, never a metric tag): the task id. */
	public static final String TASK_ID = "amqp.tasks.id";

	/** High-cardinality key of {@link #EXECUTION} (spans only): the attempt number. */
	public static final String ATTEMPT = "amqp.tasks.attempt";

	private TaskObservations() {
	}

}
