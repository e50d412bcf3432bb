package dev.amqptasks.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskRequest;

/**
 * How the benchmark's producer enqueues: as fast as it can from many threads, or at a
 * steady rate.
 */
final class Enqueuing {

	private final Settings settings;

	Enqueuing(Settings settings) {
		this.settings = settings;
	}

	/**
	 * Ids of enqueued tasks, when the first enqueue started
	 * ({@link System#currentTimeMillis()}) and how long enqueueing took.
	 */
	record Enqueued(String[] ids, long firstEnqueueMillis, double seconds) {
	}

	/**
	 * Enqueues tasks as fast as the producer API allows: {@code PRODUCER_THREADS} threads
	 * call {@link TaskClient#enqueueAll(List)} with {@code BULK_SIZE} tasks at a time
	 * (or, with a size of 1, {@link TaskClient#enqueue(String, Object...)} for each task)
	 * concurrently, each call waiting for its own confirms.
	 */
	Enqueued enqueueAll(TaskClient client, int n, String task, Object... args) throws InterruptedException {
		String[] ids = new String[n];
		AtomicInteger next = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		int threads = Math.min(this.settings.producerThreads(), n);
		CountDownLatch gate = new CountDownLatch(1);
		List<Thread> producers = new ArrayList<>(threads);
		for (int t = 0; t < threads; t++) {
			Thread thread = new Thread(() -> {
				try {
					gate.await();
					int bulk = this.settings.bulkSize();
					for (int from = next.getAndAdd(bulk); from < n
							&& failure.get() == null; from = next.getAndAdd(bulk)) {
						int to = Math.min(n, from + bulk);
						if (bulk == 1) {
							ids[from] = client.enqueue(task, args).id();
							continue;
						}
						List<TaskRequest> requests = new ArrayList<>(to - from);
						for (int i = from; i < to; i++) {
							requests.add(TaskRequest.of(task, args));
						}
						List<TaskHandle> handles = client.enqueueAll(requests);
						for (int i = from; i < to; i++) {
							ids[i] = handles.get(i - from).id();
						}
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}, "producer-" + t);
			thread.start();
			producers.add(thread);
		}
		long firstMillis = System.currentTimeMillis();
		long start = System.nanoTime();
		gate.countDown();
		for (Thread thread : producers) {
			thread.join();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		if (failure.get() != null) {
			throw new IllegalStateException("Enqueueing failed: " + failure.get(), failure.get());
		}
		return new Enqueued(ids, firstMillis, seconds);
	}

	/**
	 * Ids of tasks enqueued at a steady rate, the duration of each enqueue call and the
	 * rate achieved.
	 */
	record Steady(String[] ids, double[] callMillis, double achievedRate) {
	}

	/**
	 * Enqueues at a fixed rate, open loop: a task is due every {@code 1/rate} seconds
	 * whatever the previous enqueue took; a pool of threads makes the calls.
	 */
	Steady enqueueSteadily(TaskClient client, int n, int rate) throws InterruptedException {
		String[] ids = new String[n];
		double[] callMillis = new double[n];
		AtomicReference<Throwable> failure = new AtomicReference<>();
		ExecutorService pool = Executors.newFixedThreadPool(16);
		long interval = 1_000_000_000L / rate;
		long start = System.nanoTime() + 10_000_000L;
		long last = start;
		try {
			for (int i = 0; i < n && failure.get() == null; i++) {
				long due = start + i * interval;
				for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
					LockSupport.parkNanos(wait);
				}
				last = System.nanoTime();
				int index = i;
				pool.execute(() -> {
					try {
						long begin = System.nanoTime();
						ids[index] = client.enqueue(Benchmark.NOOP).id();
						callMillis[index] = (System.nanoTime() - begin) / 1e6;
					}
					catch (Throwable ex) {
						failure.compareAndSet(null, ex);
					}
				});
			}
		}
		finally {
			pool.shutdown();
			pool.awaitTermination(5, TimeUnit.MINUTES);
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Enqueueing failed: " + failure.get(), failure.get());
		}
		double seconds = (last - start) / 1e9;
		return new Steady(ids, callMillis, (seconds > 0) ? (n - 1) / seconds : Double.NaN);
	}

}
