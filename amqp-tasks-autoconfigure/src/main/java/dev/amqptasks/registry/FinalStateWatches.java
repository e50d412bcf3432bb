package dev.amqptasks.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The futures of {@link RedisTaskRegistry#whenFinal(String)}: one subscription to a
 * task's final channel however many callers wait for it, and a periodic check of every
 * awaited task for notices missed while the subscription connection was down.
 */
final class FinalStateWatches implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(FinalStateWatches.class);

	private final RedisMessageListenerContainer listeners;

	private final Function<String, String> channelOf;

	private final Function<String, Optional<TaskInfo>> reader;

	private final Function<List<String>, List<String>> statusReader;

	private final Duration checkInterval;

	private final Map<String, Watch> watches = new ConcurrentHashMap<>();

	private ScheduledExecutorService checker;

	private boolean closed;

	private volatile boolean checkFailing;

	/**
	 * Creates the watches.
	 * @param listeners the container to subscribe with
	 * @param channelOf the final channel of a task id
	 * @param reader reads one task
	 * @param statusReader reads the states of many tasks in one round trip ({@code null}
	 * for an unknown task)
	 * @param checkInterval how often awaited tasks are read in case a notice was missed
	 */
	FinalStateWatches(RedisMessageListenerContainer listeners, Function<String, String> channelOf,
			Function<String, Optional<TaskInfo>> reader, Function<List<String>, List<String>> statusReader,
			Duration checkInterval) {
		this.listeners = listeners;
		this.channelOf = channelOf;
		this.reader = reader;
		this.statusReader = statusReader;
		this.checkInterval = checkInterval;
	}

	CompletableFuture<TaskInfo> whenFinal(String id) {
		Watch watch = this.watches.get(id);
		if (watch == null) {
			Optional<TaskInfo> task = this.reader.apply(id);
			if (task.isEmpty()) {
				return CompletableFuture.failedFuture(new TaskNotFoundException(id));
			}
			if (task.get().status().isFinal()) {
				return CompletableFuture.completedFuture(task.get());
			}
			startChecker();
			Watch created = new Watch(id, new ChannelTopic(this.channelOf.apply(id)));
			watch = this.watches.putIfAbsent(id, created);
			if (watch == null) {
				watch = created;
				subscribe(watch);
			}
		}
		return watch.newFuture();
	}

	private void subscribe(Watch watch) {
		try {
			this.listeners.addMessageListener(watch, watch.topic);
		}
		catch (RuntimeException ex) {
			this.watches.remove(watch.id, watch);
			watch.future.completeExceptionally(ex);
			throw ex;
		}
		if (watch.future.isDone()) {
			// Completed by the periodic check before the listener was added.
			this.listeners.removeMessageListener(watch, watch.topic);
		}
	}

	private synchronized void startChecker() {
		if (this.closed) {
			throw new IllegalStateException("The task registry is closed");
		}
		if (this.checker == null) {
			this.checker = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "amqp-tasks-final-state-check");
				thread.setDaemon(true);
				return thread;
			});
			long millis = this.checkInterval.toMillis();
			this.checker.scheduleWithFixedDelay(this::checkAwaitedTasks, millis, millis, TimeUnit.MILLISECONDS);
		}
	}

	private void checkAwaitedTasks() {
		try {
			List<Watch> pending = new ArrayList<>();
			this.watches.values().stream().filter((watch) -> !watch.future.isDone()).forEach(pending::add);
			if (!pending.isEmpty()) {
				List<String> statuses = this.statusReader.apply(pending.stream().map((watch) -> watch.id).toList());
				for (int i = 0; i < pending.size(); i++) {
					String status = statuses.get(i);
					if (status == null || TaskStatus.fromValue(status).map(TaskStatus::isFinal).orElse(false)) {
						pending.get(i).check();
					}
				}
			}
			this.checkFailing = false;
		}
		catch (RuntimeException ex) {
			if (!this.checkFailing) {
				this.checkFailing = true;
				logger.warn("Could not check the tasks awaited by whenFinal; trying again every " + this.checkInterval,
						ex);
			}
		}
	}

	@Override
	public void close() {
		synchronized (this) {
			this.closed = true;
			if (this.checker != null) {
				this.checker.shutdownNow();
			}
		}
		for (Watch watch : this.watches.values()) {
			watch.future.cancel(false);
		}
	}

	private final class Watch implements MessageListener, SubscriptionListener {

		private final String id;

		private final ChannelTopic topic;

		private final CompletableFuture<TaskInfo> future = new CompletableFuture<>();

		Watch(String id, ChannelTopic topic) {
			this.id = id;
			this.topic = topic;
			this.future.whenComplete((task, ex) -> unsubscribe());
		}

		CompletableFuture<TaskInfo> newFuture() {
			// Each caller gets its own future, so that canceling one leaves the others
			// waiting.
			CompletableFuture<TaskInfo> result = new CompletableFuture<>();
			this.future.whenComplete((task, ex) -> {
				if (ex != null) {
					result.completeExceptionally(ex);
				}
				else {
					result.complete(task);
				}
			});
			return result;
		}

		@Override
		public void onMessage(Message message, byte[] pattern) {
			check();
		}

		@Override
		public void onChannelSubscribed(byte[] channel, long count) {
			// The task may have become final before the subscription took effect.
			check();
		}

		void check() {
			Optional<TaskInfo> task;
			try {
				task = FinalStateWatches.this.reader.apply(this.id);
			}
			catch (DataAccessException ex) {
				// The periodic check reads the task again.
				return;
			}
			if (task.isEmpty()) {
				this.future.completeExceptionally(new TaskNotFoundException(this.id));
			}
			else if (task.get().status().isFinal()) {
				this.future.complete(task.get());
			}
		}

		private void unsubscribe() {
			try {
				FinalStateWatches.this.listeners.removeMessageListener(this, this.topic);
			}
			finally {
				// Only now, so that a caller in between shares this completed watch
				// rather than
				// subscribing to the channel while it is being unsubscribed.
				FinalStateWatches.this.watches.remove(this.id, this);
			}
		}

	}

}
