package dev.amqptasks.metrics;

import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskObservations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts tasks created ({@value AmqpTasksMetrics#ENQUEUED}) and retries queued
 * ({@value AmqpTasksMetrics#RETRIES}), tagged with the task name.
 */
public final class TaskCounters implements TaskLifecycleListener {

	private final Meter.MeterProvider<Counter> enqueued;

	private final Meter.MeterProvider<Counter> retries;

	/**
	 * Creates counters in the given registry.
	 * @param registry the registry
	 */
	public TaskCounters(MeterRegistry registry) {
		this.enqueued = Counter.builder(AmqpTasksMetrics.ENQUEUED)
			.description("Tasks created: stored and their message confirmed by the broker")
			.withRegistry(registry);
		this.retries = Counter.builder(AmqpTasksMetrics.RETRIES)
			.description("Retries queued after failed attempts")
			.withRegistry(registry);
	}

	@Override
	public void enqueued(String task) {
		this.enqueued.withTag(TaskObservations.TASK, task).increment();
	}

	@Override
	public void retryQueued(String task) {
		this.retries.withTag(TaskObservations.TASK, task).increment();
	}

}
