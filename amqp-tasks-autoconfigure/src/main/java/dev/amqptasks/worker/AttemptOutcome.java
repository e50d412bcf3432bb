package dev.amqptasks.worker;

import java.util.Locale;

/** How an attempt ended: the {@code outcome} of its observation. */
enum AttemptOutcome {

	FINISHED, RETRYING, ERRORED, CANCELED,

	/** Interrupted by the worker's shutdown and given back to the queue. */
	REQUEUED,

	/** Another attempt took the task over: nothing of this one is stored. */
	LOST,

	/**
	 * An execution interceptor deferred it: given back, its message comes again after a
	 * delay.
	 */
	DEFERRED;

	String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

}
