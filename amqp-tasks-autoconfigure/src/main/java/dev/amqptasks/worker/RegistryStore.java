package dev.amqptasks.worker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.TaskRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;

/**
 * How the runner writes to the registry: until it succeeds, backing off while the
 * registry is unreachable; and then how the message is settled for what the write did.
 */
final class RegistryStore {

	// Logged as the runner: its log level (and the tests' log settings) cover these
	// lines.
	private static final Log logger = LogFactory.getLog(TaskRunner.class);

	private static final Duration MAX_STORE_BACKOFF = Duration.ofSeconds(5);

	private final TaskRegistry registry;

	private final BooleanSupplier stopping;

	RegistryStore(TaskRegistry registry, BooleanSupplier stopping) {
		this.registry = registry;
		this.stopping = stopping;
	}

	/**
	 * Writes to the registry until it succeeds, backing off while the registry is
	 * unreachable. Gives up only when the worker stops: the message then stays
	 * unacknowledged and is delivered again. A change the registry refuses is final and
	 * is not retried.
	 */
	Stored store(Runnable write) {
		long backoffMillis = 100;
		while (true) {
			try {
				write.run();
				return Stored.YES;
			}
			catch (AttemptLostException ex) {
				logger.warn("The attempt lost its lease, so its outcome is not stored: " + ex.getMessage());
				return Stored.LOST;
			}
			catch (TaskNotFoundException | IllegalTaskStateChangeException ex) {
				logger.warn("The registry refused the change: " + ex.getMessage());
				return Stored.REFUSED;
			}
			catch (DataAccessException ex) {
				if (this.stopping.getAsBoolean()) {
					logger.warn("Giving up storing the task's state while stopping; it will be delivered again");
					return Stored.ABANDONED;
				}
				logger
					.warn("Could not store the task's state, retrying in " + backoffMillis + " ms: " + ex.getMessage());
				try {
					Thread.sleep(backoffMillis);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return Stored.ABANDONED;
				}
				backoffMillis = Math.min(backoffMillis * 2, MAX_STORE_BACKOFF.toMillis());
			}
		}
	}

	/**
	 * Stores an attempt's outcome, then settles the message once the write is done: as
	 * given when it is stored (or refused for good); back to the queue when the attempt
	 * lost the task, so that the registry decides again; not at all when the worker
	 * stopped before storing it.
	 * @param write the outcome's write
	 * @param delivery the message
	 * @param outcome the outcome, unless the attempt lost the task
	 * @param settle settles the message once the outcome is stored
	 * @return how the attempt ended
	 */
	AttemptOutcome storeAndSettle(Runnable write, Delivery delivery, AttemptOutcome outcome, Runnable settle) {
		Stored stored = store(write);
		switch (stored) {
			case YES, REFUSED -> settle.run();
			case LOST -> delivery.requeue();
			case ABANDONED -> {
			}
		}
		return (stored == Stored.LOST) ? AttemptOutcome.LOST : outcome;
	}

	/**
	 * Records why a message that never started an attempt was dead-lettered; never over
	 * an attempt whose lease is live.
	 */
	void recordQuietly(String id, TaskError error) {
		try {
			this.registry.fail(id, null, error);
		}
		catch (TaskNotFoundException | IllegalTaskStateChangeException ex) {
			// Nothing to record: the registry never had the task, it ended, or a live
			// attempt holds it.
		}
		catch (RuntimeException ex) {
			logger.warn("Could not record why task " + id + " was dead-lettered: " + ex.getMessage());
		}
	}

	/** How a registry write ended. */
	enum Stored {

		/** The change is stored. */
		YES,

		/**
		 * The registry refused the change for good (unknown task, or not allowed now).
		 */
		REFUSED,

		/**
		 * Not stored because the worker is stopping; the message must stay
		 * unacknowledged.
		 */
		ABANDONED,

		/**
		 * Refused because another attempt holds the task; the registry decides about the
		 * message again.
		 */
		LOST

	}

}
