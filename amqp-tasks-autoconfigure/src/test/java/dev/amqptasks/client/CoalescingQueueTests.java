package dev.amqptasks.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

@Tag("fast")
class CoalescingQueueTests {

	private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

	private final CountDownLatch firstBatchEntered = new CountDownLatch(1);

	private final CountDownLatch releaseFirstBatch = new CountDownLatch(1);

	/** Callers block until their batch is handled: each needs a thread of its own. */
	private final ExecutorService callers = Executors.newCachedThreadPool();

	@AfterEach
	void stopCallers() {
		this.callers.shutdownNow();
	}

	@Test
	void itemsSubmittedWhileABatchIsHandledFormTheNextBatchUpToTheLimitAndEachGetsItsOwnResult() throws Exception {
		try (CoalescingQueue<Integer, String> queue = new CoalescingQueue<>("test-coalescing", 3,
				holdingTheFirstBatch((item) -> "result " + item))) {
			CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> queue.submit(0), this.callers);
			assertThat(this.firstBatchEntered.await(10, TimeUnit.SECONDS)).isTrue();
			List<CompletableFuture<String>> later = new ArrayList<>();
			for (int i = 1; i <= 5; i++) {
				int item = i;
				later.add(CompletableFuture.supplyAsync(() -> queue.submit(item), this.callers));
				await().atMost(Duration.ofSeconds(10)).until(() -> queue.queued() == item);
			}
			this.releaseFirstBatch.countDown();
			assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("result 0");
			for (int i = 1; i <= 5; i++) {
				assertThat(later.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("result " + i);
			}
		}
		assertThat(this.batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
	}

	@Test
	void whatTheHandlerThrowsReachesEveryCallerOfTheBatchAndLaterBatchesStillRun() {
		try (CoalescingQueue<Integer, String> queue = new CoalescingQueue<>("test-coalescing", 10, (batch) -> {
			this.batches.add(batch);
			if (batch.contains(1)) {
				throw new IllegalStateException("the handler failed");
			}
			return batch.stream().map(String::valueOf).toList();
		})) {
			assertThatIllegalStateException().isThrownBy(() -> queue.submit(1)).withMessage("the handler failed");
			assertThat(queue.submit(2)).isEqualTo("2");
		}
	}

	@Test
	void closingHandlesWhatIsQueuedThenRefusesMore() throws Exception {
		CoalescingQueue<Integer, String> queue = new CoalescingQueue<>("test-coalescing", 10,
				holdingTheFirstBatch(String::valueOf));
		CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> queue.submit(1), this.callers);
		assertThat(this.firstBatchEntered.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> queue.submit(2), this.callers);
		await().atMost(Duration.ofSeconds(10)).until(() -> queue.queued() == 1);
		CompletableFuture<Void> closed = CompletableFuture.runAsync(queue::close, this.callers);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThatExceptionOfType(CoalescingQueue.ClosedException.class)
				.isThrownBy(() -> queue.submit(3)));
		assertThat(closed).isNotDone();
		this.releaseFirstBatch.countDown();
		closed.get(10, TimeUnit.SECONDS);
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("1");
		assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("2");
	}

	/**
	 * A handler that holds its first batch until released, answering each item with the
	 * function.
	 */
	private Function<List<Integer>, List<String>> holdingTheFirstBatch(Function<Integer, String> answer) {
		return (batch) -> {
			boolean firstBatch = this.batches.isEmpty();
			this.batches.add(batch);
			if (firstBatch) {
				this.firstBatchEntered.countDown();
				try {
					assertThat(this.releaseFirstBatch.await(10, TimeUnit.SECONDS)).isTrue();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return batch.stream().map(answer).toList();
		};
	}

}
