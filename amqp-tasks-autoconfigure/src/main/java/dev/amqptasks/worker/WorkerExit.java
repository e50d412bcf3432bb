package dev.amqptasks.worker;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Ends a worker process that can no longer do its job, so that its supervisor starts a
 * new one. The orderly exit closes the application; a worker that is stuck may not manage
 * that, so the process is halted if it is still alive after a short grace. Unacknowledged
 * messages go back to the queue as the connection closes; leases make sure no other
 * worker runs them twice.
 */
final class WorkerExit {

	/** Exit status when the beacon stopped coming back. */
	static final int BEACON_LOST = 3;

	/** Exit status when the watchdog found the worker stuck. */
	static final int STUCK = 4;

	private static final Log logger = LogFactory.getLog(WorkerExit.class);

	private static final Duration HALT_AFTER = Duration.ofSeconds(10);

	private WorkerExit() {
	}

	static void exit(int status, String reason) {
		logger.error("Exiting with status " + status + ": " + reason);
		Thread halt = new Thread(() -> {
			try {
				Thread.sleep(HALT_AFTER.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			Runtime.getRuntime().halt(status);
		}, "amqp-tasks-halt");
		halt.setDaemon(true);
		halt.start();
		Thread exit = new Thread(() -> System.exit(status), "amqp-tasks-exit");
		exit.start();
	}

}
