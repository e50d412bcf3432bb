package dev.amqptasks.worker;

import java.time.Clock;
import java.time.Duration;

import dev.amqptasks.TaskError;
import dev.amqptasks.UnknownTaskException;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.spi.TaskHeaders;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What becomes of a message of a task this worker does not know: it is put back for a
 * worker that knows it (during a rolling deploy, an older worker may get a new task), up
 * to the unknown-task timeout from when a worker first found it unknown; then it is
 * dead-lettered and the registry records why.
 */
final class UnknownTasks {

	// Logged as the runner: its log level (and the tests' log settings) cover these
	// lines.
	private static final Log logger = LogFactory.getLog(TaskRunner.class);

	/** How long a message of an unknown task waits before a worker looks at it again. */
	private static final Duration UNKNOWN_TASK_RECHECK = Duration.ofSeconds(5);

	private final String workerId;

	private final Duration timeout;

	private final Clock clock;

	private final RegistryStore store;

	UnknownTasks(String workerId, Duration timeout, Clock clock, RegistryStore store) {
		this.workerId = workerId;
		this.timeout = timeout;
		this.clock = clock;
		this.store = store;
	}

	void handle(TaskMessage task, Delivery delivery) {
		long now = this.clock.millis();
		Object header = delivery.message().getMessageProperties().getHeader(TaskHeaders.UNKNOWN_SINCE);
		long since = (header instanceof Number number) ? number.longValue() : now;
		Duration waited = Duration.ofMillis(Math.max(0, now - since));
		if (waited.compareTo(this.timeout) < 0) {
			logger.warn("No task named '" + task.task() + "' is registered in worker " + this.workerId
					+ "; putting task " + task.id() + " back for a worker that knows it (unknown for " + waited + " of "
					+ this.timeout + ")");
			delivery.message().getMessageProperties().setHeader(TaskHeaders.UNKNOWN_SINCE, since);
			delivery.defer(UNKNOWN_TASK_RECHECK);
			return;
		}
		String reason = "no worker that received it knows a task named '" + task.task() + "' (for " + waited
				+ "; last: worker " + this.workerId + ")";
		logger.warn("Dead-lettering task " + task.id() + " because " + reason);
		TaskError error = new TaskError(UnknownTaskException.class.getName(),
				new UnknownTaskException(task.task()).getMessage() + ": " + reason);
		this.store.recordQuietly(task.id(), error);
		delivery.deadLetter(reason, error);
	}

}
