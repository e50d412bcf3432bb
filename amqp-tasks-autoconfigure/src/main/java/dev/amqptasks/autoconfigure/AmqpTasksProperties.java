package dev.amqptasks.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import dev.amqptasks.EnqueueOptions;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of amqp-tasks ({@code amqp-tasks.*}). Connections to RabbitMQ and Redis
 * are Spring Boot's own ({@code spring.rabbitmq.*}, {@code spring.data.redis.*}).
 *
 * @param queue main queue; {@code <queue>-delay-<ms>} and {@code <queue>-error} are
 * derived from it
 * @param exchange direct exchange the task queues are bound to
 * @param errorQueueTtl how long dead messages stay in the error queue
 * @param confirmTimeout how long an enqueue waits for its batch to be stored and
 * published, and then again for the broker to confirm the message
 * @param connectionFactory name of the RabbitMQ {@code ConnectionFactory} bean amqp-tasks
 * uses, for an application that has several; unset, the single (or primary) one
 * @param redisConnectionFactory name of the {@code RedisConnectionFactory} bean the
 * registry uses, for an application that has several; unset, the single (or primary) one
 * @param registry the task registry
 * @param retry retries of failed attempts
 * @param worker the worker that consumes tasks in this process
 * @param beacon the worker's liveness beacon
 * @param http the HTTP API
 * @param metrics the metrics
 * @param security the security of the HTTP API and the dashboard (with Spring Security)
 */
@ConfigurationProperties("amqp-tasks")
public record AmqpTasksProperties(@DefaultValue("amqp-tasks") String queue, @DefaultValue("amqp-tasks") String exchange,
		@DefaultValue("7d") Duration errorQueueTtl, @DefaultValue("10s") Duration confirmTimeout,
		String connectionFactory, String redisConnectionFactory, @DefaultValue Registry registry,
		@DefaultValue Retry retry, @DefaultValue Worker worker, @DefaultValue Beacon beacon, @DefaultValue Http http,
		@DefaultValue Metrics metrics, @DefaultValue Security security) {

	private static final Duration MAX_QUEUE_TTL = Duration.ofMillis(Integer.MAX_VALUE);

	public AmqpTasksProperties {
		requireName("amqp-tasks.queue", queue);
		requireName("amqp-tasks.exchange", exchange);
		requirePositive("amqp-tasks.error-queue-ttl", errorQueueTtl, MAX_QUEUE_TTL);
		requirePositive("amqp-tasks.confirm-timeout", confirmTimeout, Duration.ofHours(1));
		if (connectionFactory != null) {
			requireName("amqp-tasks.connection-factory", connectionFactory);
		}
		if (redisConnectionFactory != null) {
			requireName("amqp-tasks.redis-connection-factory", redisConnectionFactory);
		}
	}

	/**
	 * The task registry.
	 *
	 * @param type where task state is kept: {@code redis}, or {@code memory} (one process
	 * only)
	 * @param ttl how long a task's state is kept after its last change
	 * @param keyPrefix prefix of every Redis key and channel; keys are
	 * {@code {<prefix>}:...} so that they share one Redis Cluster hash slot
	 */
	public record Registry(@DefaultValue("redis") RegistryType type, @DefaultValue("24h") Duration ttl,
			@DefaultValue("amqp-tasks") String keyPrefix) {

		public Registry {
			requirePositive("amqp-tasks.registry.ttl", ttl, Duration.ofDays(3650));
			requireName("amqp-tasks.registry.key-prefix", keyPrefix);
			if (keyPrefix.contains("{") || keyPrefix.contains("}")) {
				throw new IllegalArgumentException(
						"amqp-tasks.registry.key-prefix must not contain '{' or '}', was '" + keyPrefix + "'");
			}
		}

	}

	/**
	 * Where task state is kept.
	 */
	public enum RegistryType {

		/** Redis, shared by every process: the default. */
		REDIS,

		/** This process's memory: tests and single-process setups only. */
		MEMORY

	}

	/**
	 * Retries of failed attempts.
	 *
	 * @param maxRetries retries after the first attempt; -1 retries forever
	 * @param delay delay before a retry
	 * @param multiplier factor by which the delay grows with each retry; 1 keeps it fixed
	 * @param maxDelay the longest delay when it grows
	 * @param jitter fraction (0 to 1) by which each delay is randomly shortened or
	 * lengthened
	 */
	public record Retry(@DefaultValue("5") int maxRetries, @DefaultValue("2m") Duration delay,
			@DefaultValue("1") double multiplier, @DefaultValue("1h") Duration maxDelay,
			@DefaultValue("0") double jitter) {

		public Retry {
			if (maxRetries < -1) {
				throw new IllegalArgumentException(
						"amqp-tasks.retry.max-retries must be -1 (forever) or more, was " + maxRetries);
			}
			requirePositive("amqp-tasks.retry.delay", delay, EnqueueOptions.MAX_DELAY);
			if (multiplier < 1) {
				throw new IllegalArgumentException("amqp-tasks.retry.multiplier must be at least 1, was " + multiplier);
			}
			requirePositive("amqp-tasks.retry.max-delay", maxDelay, EnqueueOptions.MAX_DELAY);
			if (jitter < 0 || jitter >= 1) {
				throw new IllegalArgumentException("amqp-tasks.retry.jitter must be from 0 to below 1, was " + jitter);
			}
		}

	}

	/**
	 * The worker.
	 *
	 * @param enabled whether this process consumes and runs tasks
	 * @param maxRunningTasks tasks running at once; also the prefetch, so a worker never
	 * holds more messages than it can run
	 * @param autoKillTimeout seconds the worker may be stuck before the watchdog exits
	 * the process; unset disables the watchdog
	 * @param cancelCheckInterval how often a worker checks the registry for cancellations
	 * whose notice it missed
	 * @param shutdownGracePeriod how long running tasks may take to finish when the
	 * worker stops
	 * @param leaseTtl how long a running attempt is held without its worker renewing it;
	 * a redelivered message of a task held by a live worker waits this long before it is
	 * looked at again, and a dead worker's tasks run again after at most this long
	 * @param maxMessageSize the largest task message: a larger enqueue is refused before
	 * anything is stored, and a larger message that reaches a worker is dead-lettered
	 * @param unknownTaskTimeout how long a message of a task that the worker does not
	 * know is put back (every few seconds) for a worker that knows it, as during a
	 * rolling deploy, before it is dead-lettered and its task ends errored
	 */
	public record Worker(@DefaultValue("false") boolean enabled, @DefaultValue("20") int maxRunningTasks,
			@DurationUnit(ChronoUnit.SECONDS) Duration autoKillTimeout,
			@DefaultValue("5s") Duration cancelCheckInterval, @DefaultValue("30s") Duration shutdownGracePeriod,
			@DefaultValue("30s") Duration leaseTtl, @DefaultValue("1MB") DataSize maxMessageSize,
			@DefaultValue("5m") Duration unknownTaskTimeout) {

		public Worker {
			if (maxRunningTasks < 1 || maxRunningTasks > 10_000) {
				throw new IllegalArgumentException(
						"amqp-tasks.worker.max-running-tasks must be from 1 to 10000, was " + maxRunningTasks);
			}
			if (autoKillTimeout != null) {
				requirePositive("amqp-tasks.worker.auto-kill-timeout", autoKillTimeout, Duration.ofDays(1));
			}
			requirePositive("amqp-tasks.worker.cancel-check-interval", cancelCheckInterval, Duration.ofHours(1));
			requirePositive("amqp-tasks.worker.lease-ttl", leaseTtl, Duration.ofDays(1));
			if (unknownTaskTimeout.isNegative()) {
				throw new IllegalArgumentException(
						"amqp-tasks.worker.unknown-task-timeout must not be negative, was " + unknownTaskTimeout);
			}
			if (maxMessageSize.toBytes() < 1) {
				throw new IllegalArgumentException(
						"amqp-tasks.worker.max-message-size must be positive, was " + maxMessageSize);
			}
			if (shutdownGracePeriod.isNegative()) {
				throw new IllegalArgumentException(
						"amqp-tasks.worker.shutdown-grace-period must not be negative, was " + shutdownGracePeriod);
			}
		}

	}

	/**
	 * The worker's liveness beacon.
	 *
	 * @param ttl beacon period; health is DOWN after three periods without a beacon back
	 * @param exitOnLoss whether a worker whose beacon is lost exits the process (with
	 * status 3) so that its supervisor starts a new one; the worker app sets it
	 */
	public record Beacon(@DefaultValue("30s") Duration ttl, @DefaultValue("false") boolean exitOnLoss) {

		public Beacon {
			requirePositive("amqp-tasks.beacon.ttl", ttl, MAX_QUEUE_TTL);
		}

	}

	/**
	 * The HTTP API.
	 *
	 * @param enabled whether the task API, the workers and stats endpoints and the
	 * dashboard are served; unset, they are served only where Spring Security protects
	 * them (web security enabled); {@code true} serves them in any case (without Spring
	 * Security, unauthenticated: a warning is logged at start-up)
	 * @param enqueueEnabled whether {@code POST <path>} enqueues tasks
	 * @param path where the task API is served
	 * @param workersPath where the live workers are listed
	 * @param statsPath where the task counts and queue depths are served
	 * @param dashboardEnabled whether the dashboard page is served
	 * @param dashboardPath where the dashboard page is served
	 */
	public record Http(Boolean enabled, @DefaultValue("false") boolean enqueueEnabled,
			@DefaultValue("/@amqp-tasks") String path, @DefaultValue("/@amqp-workers") String workersPath,
			@DefaultValue("/@amqp-stats") String statsPath, @DefaultValue("true") boolean dashboardEnabled,
			@DefaultValue("/@amqp-dashboard") String dashboardPath) {

		public Http {
			requirePath("amqp-tasks.http.path", path);
			requirePath("amqp-tasks.http.workers-path", workersPath);
			requirePath("amqp-tasks.http.stats-path", statsPath);
			requirePath("amqp-tasks.http.dashboard-path", dashboardPath);
		}

		private static void requirePath(String property, String path) {
			if (!path.startsWith("/") || path.endsWith("/") || path.contains(" ") || path.contains("*")
					|| path.contains("{")) {
				throw new IllegalArgumentException(property
						+ " must start with '/', not end with '/' and have no spaces, '*' or '{', was '" + path + "'");
			}
		}

	}

	/**
	 * The security of the HTTP API and the dashboard, applied when Spring Security is on
	 * the class path.
	 *
	 * @param enabled whether amqp-tasks secures its own paths (the task API, workers,
	 * stats and dashboard) with a filter chain of its own; turn it off to secure them
	 * yourself
	 * @param readAuthority the authority needed to read tasks, workers and stats and to
	 * open the dashboard (the manage and debug authorities imply it)
	 * @param manageAuthority the authority needed to cancel, retry and enqueue tasks
	 * @param debugAuthority the authority needed to see the arguments and results of
	 * tasks; without it they are shown as {@code null}
	 */
	public record Security(@DefaultValue("true") boolean enabled, @DefaultValue("AMQP_TASKS_READ") String readAuthority,
			@DefaultValue("AMQP_TASKS_MANAGE") String manageAuthority,
			@DefaultValue("AMQP_TASKS_DEBUG") String debugAuthority) {

		public Security {
			requireName("amqp-tasks.security.read-authority", readAuthority);
			requireName("amqp-tasks.security.manage-authority", manageAuthority);
			requireName("amqp-tasks.security.debug-authority", debugAuthority);
		}

	}

	/**
	 * The metrics.
	 *
	 * @param queuePollInterval how often the message counts of the main, delay and error
	 * queues are polled from the broker (for the queue gauges and the stats)
	 */
	public record Metrics(@DefaultValue("15s") Duration queuePollInterval) {

		public Metrics {
			requirePositive("amqp-tasks.metrics.queue-poll-interval", queuePollInterval, Duration.ofHours(1));
		}

	}

	private static void requireName(String property, String value) {
		if (value == null || value.isBlank() || value.length() > 200) {
			throw new IllegalArgumentException(property + " must be 1 to 200 characters, was '" + value + "'");
		}
	}

	private static void requirePositive(String property, Duration value, Duration max) {
		if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
			throw new IllegalArgumentException(property + " must be more than 0 and at most " + max + ", was " + value);
		}
	}

}
