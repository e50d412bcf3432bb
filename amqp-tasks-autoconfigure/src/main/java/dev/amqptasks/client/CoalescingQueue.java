package dev.amqptasks.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.springframework.util.Assert;

/**
 * Hands what many threads submit to one thread, in batches of whatever arrived while the
 * previous batch was handled, and gives each caller its own result. Alone, an item is
 * handled at once; under load, an item waits for the items queued before it, in batches
 * that share their cost (one round trip to Redis or the broker for a batch rather than
 * one per item). The thread starts with the first item and ends with {@link #close()},
 * after handling every item submitted before; after that, {@link #submit} and
 * {@link #offer} throw {@link ClosedException}.
 *
 * @param <T> the items
 * @param <R> the result of one item
 */
public final class CoalescingQueue<T, R> implements AutoCloseable {

	private static final long CLOSE_CHECK_MILLIS = 100;

	private final LinkedBlockingQueue<Pending<T, R>> items = new LinkedBlockingQueue<>();

	private final String threadName;

	private final int maxBatch;

	private final Function<List<T>, List<R>> handler;

	private final Object monitor = new Object();

	private Thread thread;

	private boolean closed;

	/**
	 * Creates a queue.
	 * @param threadName the name of the thread that handles the batches
	 * @param maxBatch the most items in one batch
	 * @param handler handles one batch: returns the result of each item, in order, or
	 * throws for the whole batch
	 */
	public CoalescingQueue(String threadName, int maxBatch, Function<List<T>, List<R>> handler) {
		Assert.isTrue(maxBatch > 0, "'maxBatch' must be positive");
		this.threadName = threadName;
		this.maxBatch = maxBatch;
		this.handler = handler;
	}

	/**
	 * Handles an item in the next batch and waits for its result. The wait is not
	 * interrupted: a batch always ends, and an item that was handled must not look lost
	 * to its caller.
	 * @param item the item
	 * @return the item's result
	 * @throws ClosedException if the queue is closed
	 * @throws RuntimeException what the handler threw for the item's batch
	 */
	public R submit(T item) {
		return resultOf(offer(item));
	}

	/**
	 * Queues an item for the next batch without waiting.
	 * @param item the item
	 * @return its result, or what the handler threw for its batch, once the batch is
	 * handled
	 * @throws ClosedException if the queue is closed
	 */
	public CompletableFuture<R> offer(T item) {
		Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
		synchronized (this.monitor) {
			if (this.closed) {
				throw new ClosedException();
			}
			this.items.add(pending);
			if (this.thread == null) {
				this.thread = new Thread(this::handleBatches, this.threadName);
				this.thread.setDaemon(true);
				this.thread.start();
			}
		}
		return pending.result();
	}

	private static <R> R resultOf(CompletableFuture<R> result) {
		try {
			return result.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException failure) {
				throw failure;
			}
			throw ex;
		}
	}

	private void handleBatches() {
		List<Pending<T, R>> batch = new ArrayList<>(this.maxBatch);
		while (true) {
			Pending<T, R> first;
			try {
				// Timed, so that a close is seen without interrupting a batch's I/O.
				first = this.items.poll(CLOSE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				// Nothing interrupts this thread on purpose; the closed flag decides when
				// it ends.
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
			handle(batch);
			batch.clear();
		}
	}

	private void handle(List<Pending<T, R>> batch) {
		try {
			List<R> results = this.handler.apply(batch.stream().map(Pending::item).toList());
			Assert.state(results.size() == batch.size(), "The handler must return one result per item");
			for (int i = 0; i < batch.size(); i++) {
				batch.get(i).result().complete(results.get(i));
			}
		}
		catch (RuntimeException | Error ex) {
			batch.forEach((pending) -> pending.result().completeExceptionally(ex));
		}
	}

	/**
	 * The items waiting for a batch.
	 * @return their number
	 */
	int queued() {
		return this.items.size();
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

	private record Pending<T, R>(T item, CompletableFuture<R> result) {
	}

	/**
	 * Thrown when an item is submitted to a closed queue.
	 */
	public static final class ClosedException extends IllegalStateException {

		ClosedException() {
			super("Closed: no more items are taken");
		}

	}

}
