package dev.amqptasks;

/**
 * A queue or exchange exists on the broker with other arguments than this application
 * declares, for example an error queue created with another time to live.
 */
public class TaskTopologyMismatchException extends AmqpTasksException {

	private final String brokerReply;

	public TaskTopologyMismatchException(String brokerReply, Throwable cause) {
		super("The broker refused the declaration of the task queues: " + brokerReply, cause);
		this.brokerReply = brokerReply;
	}

	/**
	 * What the broker said, naming the queue and the argument that differ.
	 * @return the broker's reply text
	 */
	public String getBrokerReply() {
		return this.brokerReply;
	}

}
