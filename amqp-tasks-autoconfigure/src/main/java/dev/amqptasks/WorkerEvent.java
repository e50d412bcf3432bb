package dev.amqptasks;

import org.springframework.context.ApplicationEvent;

/**
 * A step in the lifecycle of this application's worker, published as a Spring application
 * event: {@link WorkerStartedEvent}, {@link WorkerStoppingEvent},
 * {@link WorkerStoppedEvent}. The source is the worker.
 */
public abstract class WorkerEvent extends ApplicationEvent {

	private final String workerId;

	private final String host;

	private final long pid;

	/**
	 * Creates an event.
	 * @param worker the worker
	 * @param workerId the worker's id, as the worker directory lists it
	 * @param host the host it runs on
	 * @param pid its process id
	 */
	protected WorkerEvent(Object worker, String workerId, String host, long pid) {
		super(worker);
		this.workerId = workerId;
		this.host = host;
		this.pid = pid;
	}

	/**
	 * The worker's id, as the worker directory lists it.
	 * @return the id
	 */
	public String getWorkerId() {
		return this.workerId;
	}

	/**
	 * The host the worker runs on.
	 * @return the host name
	 */
	public String getHost() {
		return this.host;
	}

	/**
	 * The worker's process id.
	 * @return the pid
	 */
	public long getPid() {
		return this.pid;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[workerId=" + this.workerId + "]";
	}

}
