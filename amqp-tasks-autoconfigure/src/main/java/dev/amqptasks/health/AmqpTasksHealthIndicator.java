package dev.amqptasks.health;

import dev.amqptasks.spi.WorkerStatus;
import dev.amqptasks.worker.TaskWorker;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code amqpTasks} health component of a worker: DOWN when the worker does not
 * consume, as told by its beacon (none came back for three beacon periods) rather than by
 * its sockets.
 */
public class AmqpTasksHealthIndicator extends AbstractHealthIndicator {

	private final TaskWorker worker;

	public AmqpTasksHealthIndicator(TaskWorker worker) {
		super("amqp-tasks health check failed");
		this.worker = worker;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		WorkerStatus status = this.worker.status();
		builder.status("UP".equals(status.status()) ? Status.UP : Status.DOWN)
			.withDetail("workerId", status.id())
			.withDetail("lastBeacon", (status.lastBeacon() != null) ? status.lastBeacon().toString() : "none yet")
			.withDetail("beaconTtl", this.worker.settings().beaconTtl().toString())
			.withDetail("runningTasks", status.runningTasks())
			.withDetail("maxRunningTasks", this.worker.settings().maxRunningTasks());
	}

}
