package dev.amqptasks.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The worker's watchdog ({@code --auto-kill-timeout}): ends the process when the worker
 * is stuck for the timeout, that is when its control loop did not run, or when a task
 * that was canceled or timed out ignores its interruption. It runs on a thread of its
 * own, so a stuck worker cannot stop it.
 */
final class Watchdog {

	private final Duration timeout;

	private final Supplier<List<RunningTask>> running;

	private final Consumer<String> onStuck;

	private final AtomicLong lastTick = new AtomicLong(System.nanoTime());

	private volatile Thread thread;

	Watchdog(Duration timeout, Supplier<List<RunningTask>> running, Consumer<String> onStuck) {
		this.timeout = timeout;
		this.running = running;
		this.onStuck = onStuck;
	}

	/** Called by the control loop each time it runs. */
	void tick() {
		tick(System.nanoTime());
	}

	/** The control loop ran at the given time, on the {@link System#nanoTime()} scale. */
	void tick(long nowNanos) {
		this.lastTick.set(nowNanos);
	}

	/**
	 * Starts watching: the control loop ticks the watchdog, its own thread checks the
	 * ticks.
	 * @param control the worker's control loop
	 */
	void start(ScheduledExecutorService control) {
		control.scheduleWithFixedDelay(this::tick, 0, 100, TimeUnit.MILLISECONDS);
		start();
	}

	void start() {
		tick();
		Thread watching = new Thread(this::watch, "amqp-tasks-watchdog");
		watching.setDaemon(true);
		this.thread = watching;
		watching.start();
	}

	void stop() {
		Thread watching = this.thread;
		this.thread = null;
		if (watching != null) {
			watching.interrupt();
		}
	}

	private void watch() {
		long period = Math.max(100, Math.min(1000, this.timeout.toMillis() / 4));
		while (this.thread == Thread.currentThread()) {
			try {
				Thread.sleep(period);
			}
			catch (InterruptedException ex) {
				return;
			}
			String stuck = stuck(System.nanoTime());
			if (stuck != null && this.thread == Thread.currentThread()) {
				this.onStuck.accept("the watchdog found the worker stuck for " + this.timeout + ": " + stuck);
				return;
			}
		}
	}

	/**
	 * What is stuck at the given time, or {@code null} when nothing is.
	 */
	String stuck(long nowNanos) {
		long limit = this.timeout.toNanos();
		if (nowNanos - this.lastTick.get() > limit) {
			return "the control loop has not run for " + Duration.ofNanos(nowNanos - this.lastTick.get());
		}
		List<RunningTask> ignoring = this.running.get()
			.stream()
			.filter((task) -> task.stopRequestedNanos() != 0 && nowNanos - task.stopRequestedNanos() > limit)
			.toList();
		if (ignoring.isEmpty()) {
			return null;
		}
		return ignoring.stream()
			.map((task) -> "task " + task.id() + " (" + task.name() + ") ignores its "
					+ (task.isCanceled() ? "cancellation" : "timeout"))
			.collect(Collectors.joining("; "));
	}

}
