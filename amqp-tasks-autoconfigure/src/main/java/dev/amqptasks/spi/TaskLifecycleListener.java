package dev.amqptasks.spi;

import java.util.List;

/**
 * Hears what happens to tasks in this process, for counting. It is called on the thread
 * that did the work, after the work is done, so an implementation must be quick and must
 * not throw. How long attempts take and how they end is observed instead (see
 * {@link TaskObservations}).
 */
public interface TaskLifecycleListener {

	/** A listener that hears nothing. */
	TaskLifecycleListener NONE = new TaskLifecycleListener() {
	};

	/**
	 * A new task was stored and the broker confirmed its message. An enqueue of an
	 * existing id, which creates nothing, is not reported.
	 * @param task the task name
	 */
	default void enqueued(String task) {
	}

	/**
	 * A failed attempt was stored {@code retrying} and the broker confirmed its retry
	 * message.
	 * @param task the task name
	 */
	default void retryQueued(String task) {
	}

	/**
	 * A listener that tells each of the given listeners in turn.
	 * @param listeners the listeners
	 * @return one listener for all of them
	 */
	static TaskLifecycleListener of(List<TaskLifecycleListener> listeners) {
		if (listeners.isEmpty()) {
			return NONE;
		}
		if (listeners.size() == 1) {
			return listeners.get(0);
		}
		List<TaskLifecycleListener> all = List.copyOf(listeners);
		return new TaskLifecycleListener() {

			@Override
			public void enqueued(String task) {
				all.forEach((listener) -> listener.enqueued(task));
			}

			@Override
			public void retryQueued(String task) {
				all.forEach((listener) -> listener.retryQueued(task));
			}

		};
	}

}
