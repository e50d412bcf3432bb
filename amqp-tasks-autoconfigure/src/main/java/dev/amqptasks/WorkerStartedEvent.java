package dev.amqptasks;

/**
 * The worker started: it consumes its queue and is listed in the worker directory.
 */
public class WorkerStartedEvent extends WorkerEvent {

	/**
	 * Creates the event.
	 * @param worker the worker
	 * @param workerId the worker's id
	 * @param host the host it runs on
	 * @param pid its process id
	 */
	public WorkerStartedEvent(Object worker, String workerId, String host, long pid) {
		super(worker, workerId, host, pid);
	}

}
