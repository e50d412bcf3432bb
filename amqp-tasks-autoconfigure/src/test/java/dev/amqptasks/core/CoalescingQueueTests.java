package dev.amqptasks.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

class CoalescingQueueTests {

	private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

	@Test
	void itemsSubmittedWhileABatchIsHandledFormTheNextBatchUpToTheLimit() throws InterruptedException {
		CountDownLatch firstBatchEntered = new CountDownLatch(1);
		CountDownLatch releaseFirstBatch = new CountDownLatch(1);
		try (CoalescingQueue<Integer> queue = new CoalescingQueue<>("test-coalescing", 3, (batch) -> {
			this.batches.add(batch);
			if (batch.contains(0)) {
				firstBatchEntered.countDown();
				awaitLatch(releaseFirstBatch);
			}
		})) {
			queue.submit(0);
			assertThat(firstBatchEntered.await(10, TimeUnit.SECONDS)).isTrue();
			for (int i = 1; i <= 5; i++) {
				queue.submit(i);
			}
			releaseFirstBatch.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> handled().size() == 6);
		}
		assertThat(this.batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
	}

	@Test
	void closingHandlesWhatIsQueuedThenRefusesMore() throws InterruptedException {
		CountDownLatch firstBatchEntered = new CountDownLatch(1);
		CountDownLatch releaseFirstBatch = new CountDownLatch(1);
		CoalescingQueue<Integer> queue = new CoalescingQueue<>("test-coalescing", 10, (batch) -> {
			this.batches.add(batch);
			firstBatchEntered.countDown();
			awaitLatch(releaseFirstBatch);
		});
		queue.submit(1);
		assertThat(firstBatchEntered.await(10, TimeUnit.SECONDS)).isTrue();
		queue.submit(2);
		queue.submit(3);
		Thread closer = new Thread(queue::close);
		closer.start();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThatIllegalStateException().isThrownBy(() -> queue.submit(4)));
		releaseFirstBatch.countDown();
		closer.join(10_000);
		assertThat(closer.isAlive()).isFalse();
		assertThat(handled()).containsExactly(1, 2, 3);
	}

	@Test
	void aFailingBatchDoesNotStopTheBatchesAfterIt() {
		try (CoalescingQueue<Integer> queue = new CoalescingQueue<>("test-coalescing", 10, (batch) -> {
			this.batches.add(batch);
			if (batch.contains(1)) {
				throw new IllegalStateException("the handler failed");
			}
		})) {
			queue.submit(1);
			await().atMost(Duration.ofSeconds(10)).until(() -> handled().contains(1));
			queue.submit(2);
			await().atMost(Duration.ofSeconds(10)).until(() -> handled().contains(2));
		}
	}

	private List<Integer> handled() {
		List<Integer> all = new ArrayList<>();
		this.batches.forEach(all::addAll);
		return all;
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
