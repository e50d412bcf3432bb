package dev.amqptasks.spi;

/**
 * How many messages wait in the task queues, as last polled from the broker. Reading is
 * cheap: the counts are refreshed in the background, never per request or per task.
 */
public interface TaskQueueDepths {

	/**
	 * The last polled counts.
	 * @return the counts; a queue that could not be polled counts {@code -1}
	 */
	Depths current();

	/**
	 * Message counts of the main, delay and error queues.
	 *
	 * @param main ready messages in the main queue
	 * @param delay messages waiting in the delay queues
	 * @param error messages in the error queue
	 */
	record Depths(long main, long delay, long error) {
	}

}
