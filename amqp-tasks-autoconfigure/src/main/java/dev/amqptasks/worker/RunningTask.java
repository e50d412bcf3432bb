package dev.amqptasks.worker;

/**
 * A task running on a worker thread, and the means to cancel it. Interrupting is allowed only
 * while the task's own code runs, so that a late cancellation never interrupts the thread
 * after it moved on (to storing the outcome, or to another task).
 */
final class RunningTask {

	private final String id;

	private final String name;

	private final Thread thread;

	private final long startedNanos = System.nanoTime();

	private boolean active = true;

	private volatile boolean canceled;

	private volatile boolean timedOut;

	private volatile long stopRequestedNanos;

	RunningTask(String id, String name, Thread thread) {
		this.id = id;
		this.name = name;
		this.thread = thread;
	}

	String id() {
		return this.id;
	}

	String name() {
		return this.name;
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
