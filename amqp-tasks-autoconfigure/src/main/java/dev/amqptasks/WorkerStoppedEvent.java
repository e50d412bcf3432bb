package dev.amqptasks;

/**
 * The worker stopped: no task of it runs any more, and it is no longer listed in the
 * worker directory.
 */
public class WorkerStoppedEvent extends WorkerEvent {

	/**
	 * Creates the event.
	 * @param worker the worker
	 * @param workerId the worker's id
	 * @param host the host it runs on
	 * @param pid its process id
	 */
	public WorkerStoppedEvent(Object worker, String workerId, String host, long pid) {
		super(worker, workerId, host, pid);
	}

}
