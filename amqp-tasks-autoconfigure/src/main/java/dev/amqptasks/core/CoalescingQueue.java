package dev.amqptasks.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.Assert;

/**
 * Hands what many threads submit to one thread, in batches of whatever arrived while the
 * previous batch was handled. Alone, an item is handled at once; under load, items wait at most
 * for one batch and share its cost. The thread starts with the first item and ends with
 * {@link #close()}, after handling every item submitted before.
 *
 * @param <T> the items
 */
final class CoalescingQueue<T> implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(CoalescingQueue.class);

	private static final long CLOSE_CHECK_MILLIS = 100;

	private final LinkedBlockingQueue<T> items = new LinkedBlockingQueue<>();

	private final String threadName;

	private final int maxBatch;

	private final Consumer<List<T>> handler;

	private final Object monitor = new Object();

	private Thread thread;

	private boolean closed;

	/**
	 * Creates a queue.
	 * @param threadName the name of the thread that handles the batches
	 * @param maxBatch the most items in one batch
	 * @param handler handles one batch; it must settle every item itself, even when it throws
	 */
	CoalescingQueue(String threadName, int maxBatch, Consumer<List<T>> handler) {
		Assert.isTrue(maxBatch > 0, "'maxBatch' must be positive");
		this.threadName = threadName;
		this.maxBatch = maxBatch;
		this.handler = handler;
	}

	/**
	 * Queues an item for the next batch.
	 * @param item the item
	 * @throws IllegalStateException if the queue is closed
	 */
	void submit(T item) {
		synchronized (this.monitor) {
			Assert.state(!this.closed, "Closed: no more items are taken");
			this.items.add(item);
			if (this.thread == null) {
				this.thread = new Thread(this::handleBatches, this.threadName);
				this.thread.setDaemon(true);
				this.thread.start();
			}
		}
	}

	private void handleBatches() {
		List<T> batch = new ArrayList<>(this.maxBatch);
		while (true) {
			T first;
			try {
				// Timed, so that a close is seen without interrupting a batch's I/O.
				first = this.items.poll(CLOSE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				// Nothing interrupts this thread on purpose; the closed flag decides when it ends.
				first = null;
			}
			if (first == null) {
				if (isClosed() && this.items.isEmpty()) {
					return;
				}
				continue;
			}
			batch.add(first);
			this.items.drainTo(batch, this.maxBatch - 1);
			try {
				this.handler.accept(List.copyOf(batch));
			}
			catch (RuntimeException ex) {
				logger.error("A batch handler failed", ex);
			}
			batch.clear();
		}
	}

	private boolean isClosed() {
		synchronized (this.monitor) {
			return this.closed;
		}
	}

	/**
	 * Takes no more items, handles those queued, and ends the thread.
	 */
	@Override
	public void close() {
		Thread running;
		synchronized (this.monitor) {
			this.closed = true;
			running = this.thread;
		}
		if (running != null) {
			try {
				running.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
