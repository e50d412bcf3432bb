package dev.amqptasks;

/**
 * The worker is stopping: it takes no more messages, and its running tasks have the
 * shutdown grace period to finish.
 */
public class WorkerStoppingEvent extends WorkerEvent {

	/**
	 * Creates the event.
	 * @param worker the worker
	 * @param workerId the worker's id
	 * @param host the host it runs on
	 * @param pid its process id
	 */
	public WorkerStoppingEvent(Object worker, String workerId, String host, long pid) {
		super(worker, workerId, host, pid);
	}

}
