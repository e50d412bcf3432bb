package dev.amqptasks.worker;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A task running on a worker thread, and the means to cancel it. Interrupting is allowed
 * only while the task's own code runs, so that a late cancellation never interrupts the
 * thread after it moved on (to storing the outcome, or to another task).
 */
final class RunningTask {

	private static final Log logger = LogFactory.getLog(RunningTask.class);

	private final String id;

	private final String name;

	private final String token;

	private final Thread thread;

	private final long startedNanos = System.nanoTime();

	private boolean active = true;

	private volatile boolean canceled;

	private volatile boolean timedOut;

	private volatile boolean lost;

	private volatile long stopRequestedNanos;

	RunningTask(String id, String name, String token, Thread thread) {
		this.id = id;
		this.name = name;
		this.token = token;
		this.thread = thread;
	}

	String id() {
		return this.id;
	}

	String name() {
		return this.name;
	}

	/**
	 * The token under which this attempt holds its task in the registry.
	 */
	String token() {
		return this.token;
	}

	long startedNanos() {
		return this.startedNanos;
	}

	boolean isCanceled() {
		return this.canceled;
	}

	boolean isTimedOut() {
		return this.timedOut;
	}

	/**
	 * Whether the attempt lost its task to another attempt: nothing more is stored for
	 * it.
	 */
	boolean isLost() {
		return this.lost;
	}

	/**
	 * Stops an attempt that no longer holds its task (its lease ran out and another
	 * attempt took over, or the task ended meanwhile): it is interrupted, and nothing
	 * more is stored for it.
	 * @param why how the worker learnt it, for the log
	 */
	void lose(String why) {
		boolean first;
		synchronized (this) {
			first = !this.lost;
			this.lost = true;
			if (this.active) {
				stopRequested();
				this.thread.interrupt();
			}
		}
		if (first) {
			logger.warn("The attempt of task " + this.id + " (" + this.name + ") lost its lease: " + why
					+ "; stopping it, and storing nothing more for it");
		}
	}

	/**
	 * Interrupts the task at its deadline; the attempt then fails with a timeout.
	 */
	synchronized void timeOut() {
		if (this.active) {
			this.timedOut = true;
			stopRequested();
			this.thread.interrupt();
		}
	}

	synchronized void cancel() {
		this.canceled = true;
		if (this.active) {
			stopRequested();
			this.thread.interrupt();
		}
	}

	private void stopRequested() {
		if (this.stopRequestedNanos == 0) {
			this.stopRequestedNanos = System.nanoTime();
		}
	}

	/**
	 * When the task was first told to stop (canceled or timed out), on the
	 * {@link System#nanoTime()} scale; 0 if never.
	 */
	long stopRequestedNanos() {
		return this.stopRequestedNanos;
	}

	/**
	 * Interrupts the task's code without canceling it (the worker is shutting down).
	 */
	synchronized void interrupt() {
		if (this.active) {
			this.thread.interrupt();
		}
	}

	/**
	 * Ends the task's own code: no interrupt reaches the thread from now on, and one that
	 * arrived too late is cleared.
	 */
	synchronized void end() {
		this.active = false;
		Thread.interrupted();
	}

}
