package dev.amqptasks.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of {@link Watchdog}, with no broker.
 */
@Tag("fast")
class WatchdogTests {

	private static final Duration TIMEOUT = Duration.ofMillis(200);

	private final List<RunningTask> running = new CopyOnWriteArrayList<>();

	private final Watchdog watchdog = new Watchdog(TIMEOUT, () -> this.running, (reason) -> {
	});

	@Test
	void nothingIsStuckRightAfterATick() {
		this.watchdog.tick();

		assertThat(this.watchdog.stuck(System.nanoTime())).isNull();
	}

	@Test
	void theControlLoopIsStuckOnceItHasNotTickedForTheTimeout() {
		this.watchdog.tick();

		assertThat(this.watchdog.stuck(System.nanoTime() + TIMEOUT.toNanos() * 2))
			.startsWith("the control loop has not run for");
	}

	@Test
	void aCanceledTaskIgnoresItsCancellationOnceItRunsOnForTheTimeout() {
		RunningTask task = aRunningTask("t-1");
		task.cancel();
		long later = task.stopRequestedNanos() + TIMEOUT.toNanos() * 2;
		this.watchdog.tick(later);

		assertThat(this.watchdog.stuck(later)).isEqualTo("task t-1 (test.task) ignores its cancellation");
	}

	@Test
	void aTimedOutTaskIgnoresItsTimeoutOnceItRunsOnForTheTimeout() {
		RunningTask task = aRunningTask("t-2");
		task.timeOut();
		long later = task.stopRequestedNanos() + TIMEOUT.toNanos() * 2;
		this.watchdog.tick(later);

		assertThat(this.watchdog.stuck(later)).isEqualTo("task t-2 (test.task) ignores its timeout");
	}

	@Test
	void aTaskStillWithinTheTimeoutOfItsCancellationIsNotStuck() {
		aRunningTask("t-3").cancel();
		this.watchdog.tick();

		assertThat(this.watchdog.stuck(System.nanoTime())).isNull();
	}

	@Test
	void aRunningTaskWithNoStopRequestedIsNeverStuck() {
		aRunningTask("t-4");
		long later = System.nanoTime() + TIMEOUT.toNanos() * 2;
		this.watchdog.tick(later);

		assertThat(this.watchdog.stuck(later)).isNull();
	}

	@Test
	void aStartedWatchdogReportsAControlLoopThatStopsTicking() {
		List<String> reasons = new CopyOnWriteArrayList<>();
		Watchdog started = new Watchdog(TIMEOUT, List::of, reasons::add);
		started.start();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> !reasons.isEmpty());
		}
		finally {
			started.stop();
		}

		assertThat(reasons).singleElement()
			.asString()
			.startsWith("the watchdog found the worker stuck for PT0.2S: the control loop has not run for");
	}

	@Test
	void aStoppedWatchdogReportsNothing() {
		List<String> reasons = new CopyOnWriteArrayList<>();
		Watchdog stopped = new Watchdog(TIMEOUT, List::of, reasons::add);
		stopped.start();
		stopped.stop();

		// Past the timeout, and then some: a stopped watchdog never calls back.
		await().during(TIMEOUT.multipliedBy(3)).atMost(TIMEOUT.multipliedBy(5)).until(reasons::isEmpty);
	}

	/** A task whose thread never started: interrupting it does nothing. */
	private RunningTask aRunningTask(String id) {
		RunningTask task = new RunningTask(id, "test.task", "token-" + id, new Thread(() -> {
		}));
		this.running.add(task);
		return task;
	}

}
