package dev.amqptasks.metrics;

import java.time.Duration;
import java.util.function.ToLongFunction;

import dev.amqptasks.spi.TaskObservations;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.worker.TaskWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * The gauges of amqp-tasks, and the names of all its meters. Tags never carry a task id:
 * the {@code task} tag is a task name, {@code queue} is one of {@code main},
 * {@code delay} and {@code error}.
 * <ul>
 * <li>{@value #QUEUE_MESSAGES} ({@code queue}): messages in a task queue as last polled
 * (see {@link TaskQueueDepths}), never asked of the broker per scrape; NaN while a queue
 * cannot be polled.</li>
 * <li>{@value #RUNNING} (workers only): tasks running in this worker.</li>
 * <li>{@value #BEACON_AGE} (workers only), seconds: since this worker's beacon last came
 * back; NaN while the worker is not running.</li>
 * <li>{@value #ENQUEUED} and {@value #RETRIES} ({@code task}): counted by
 * {@link TaskCounters}.</li>
 * <li>{@link TaskObservations#EXECUTION} ({@code task}, {@code outcome}, {@code error}):
 * a timer with a histogram, made by the observation of each attempt.</li>
 * </ul>
 */
public final class AmqpTasksMetrics implements MeterBinder {

	/** Counter of tasks created: a new task stored and its message confirmed. */
	public static final String ENQUEUED = "amqp.tasks.enqueued";

	/** Counter of retries queued after failed attempts. */
	public static final String RETRIES = "amqp.tasks.retries";

	/** Gauge of tasks running in this worker. */
	public static final String RUNNING = "amqp.tasks.running";

	/** Gauge of messages in the main, delay and error queues. */
	public static final String QUEUE_MESSAGES = "amqp.tasks.queue.messages";

	/** Gauge of the time since this worker's beacon last came back. */
	public static final String BEACON_AGE = "amqp.tasks.beacon.age";

	/**
	 * Histogram buckets of {@link TaskObservations#EXECUTION}: tasks run from
	 * milliseconds to hours, past the 30 s where Micrometer's default timer histogram
	 * stops, and a short list keeps the series per task and outcome few.
	 */
	private static final Duration[] EXECUTION_BUCKETS = { Duration.ofMillis(5), Duration.ofMillis(10),
			Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
			Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
			Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1) };

	private final TaskQueueDepths queueDepths;

	private final TaskWorker worker;

	/**
	 * Creates the gauges.
	 * @param queueDepths the polled queue depths
	 * @param worker the worker of this process, or {@code null} if it runs none
	 */
	public AmqpTasksMetrics(TaskQueueDepths queueDepths, TaskWorker worker) {
		this.queueDepths = queueDepths;
		this.worker = worker;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		queueGauge(registry, "main", TaskQueueDepths.Depths::main);
		queueGauge(registry, "delay", TaskQueueDepths.Depths::delay);
		queueGauge(registry, "error", TaskQueueDepths.Depths::error);
		if (this.worker != null) {
			Gauge.builder(RUNNING, this.worker, TaskWorker::runningTasks)
				.description("Tasks running in this worker")
				.strongReference(true)
				.register(registry);
			Gauge.builder(BEACON_AGE, this.worker, AmqpTasksMetrics::beaconAgeSeconds)
				.description("Time since this worker's beacon last came back")
				.baseUnit("seconds")
				.strongReference(true)
				.register(registry);
		}
	}

	private void queueGauge(MeterRegistry registry, String queue, ToLongFunction<TaskQueueDepths.Depths> count) {
		Gauge.builder(QUEUE_MESSAGES, this.queueDepths, (depths) -> {
			long messages = count.applyAsLong(depths.current());
			return (messages >= 0) ? messages : Double.NaN;
		})
			.tag("queue", queue)
			.description("Messages in a task queue, as last polled from the broker")
			.baseUnit(BaseUnits.MESSAGES)
			.strongReference(true)
			.register(registry);
	}

	private static double beaconAgeSeconds(TaskWorker worker) {
		Duration age = worker.beaconAge();
		return (age != null) ? age.toNanos() / 1e9 : Double.NaN;
	}

	/**
	 * A filter that gives the execution timer histogram buckets, unless the application's
	 * own configuration (such as
	 * {@code management.metrics.distribution.percentiles-histogram.amqp.tasks.execution}
	 * or {@code management.metrics.distribution.slo.amqp.tasks.execution}) already chose.
	 * @return the filter; it must come after the filters that apply such configuration
	 */
	public static MeterFilter executionHistogram() {
		return new MeterFilter() {

			@Override
			public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
				if (id.getType() != Meter.Type.TIMER || !TaskObservations.EXECUTION.equals(id.getName())
						|| config.isPercentileHistogram() != null
						|| config.getServiceLevelObjectiveBoundaries() != null) {
					return config;
				}
				double[] buckets = new double[EXECUTION_BUCKETS.length];
				for (int i = 0; i < buckets.length; i++) {
					buckets[i] = EXECUTION_BUCKETS[i].toNanos();
				}
				return DistributionStatisticConfig.builder().serviceLevelObjectives(buckets).build().merge(config);
			}

		};
	}

}
