package dev.amqptasks.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.rabbitmq.client.Channel;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.amqp.rabbit.support.micrometer.RabbitListenerObservation;
import org.springframework.amqp.rabbit.support.micrometer.RabbitMessageReceiverContext;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The consumer side of a worker: the listener container and the slots. The broker never
 * hands the worker more messages than it has free slots (prefetch = slots, and a slot is
 * freed only after its message is acknowledged). Tasks run on virtual threads or on a
 * bounded pool of platform threads.
 */
final class TaskConsumer {

	/** The listener id in the observations of received task messages. */
	static final String LISTENER_ID = "amqpTasksWorker";

	private final ConnectionFactory connectionFactory;

	private final int maxRunningTasks;

	private final boolean virtualThreads;

	private final ObservationRegistry observationRegistry;

	private final Semaphore slots;

	private final Executor executor;

	private DirectMessageListenerContainer container;

	private TaskRunner runner;

	TaskConsumer(ConnectionFactory connectionFactory, int maxRunningTasks, boolean virtualThreads,
			ObservationRegistry observationRegistry) {
		this.connectionFactory = connectionFactory;
		this.maxRunningTasks = maxRunningTasks;
		this.virtualThreads = virtualThreads;
		this.observationRegistry = observationRegistry;
		this.slots = new Semaphore(maxRunningTasks);
		this.executor = virtualThreads ? new VirtualThreadTaskExecutor("amqp-tasks-")
				: Executors.newFixedThreadPool(maxRunningTasks, new CustomizableThreadFactory("amqp-tasks-"));
	}

	/**
	 * Starts consuming.
	 * @param queues the queues: the task queue and the beacon's
	 * @param listener sees each message first, and hands task messages to
	 * {@link #dispatch}
	 * @param runner runs the task messages dispatched
	 * @param customizer applied after the worker's own settings, before the start
	 */
	void start(List<String> queues, ChannelAwareMessageListener listener, TaskRunner runner,
			Consumer<DirectMessageListenerContainer> customizer) {
		this.runner = runner;
		this.container = new DirectMessageListenerContainer(this.connectionFactory);
		this.container.setBeanName(LISTENER_ID);
		this.container.setQueueNames(queues.toArray(String[]::new));
		this.container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
		this.container.setPrefetchCount(this.maxRunningTasks);
		this.container.setConsumersPerQueue(1);
		this.container.setMessageListener(listener);
		customizer.accept(this.container);
		this.container.afterPropertiesSet();
		this.container.start();
	}

	/**
	 * Runs a task message once a slot is free. Observed here rather than by the
	 * container, so that beacons start no traces. The receipt continues the publisher's
	 * trace (from the message headers); the attempt, on another thread, continues the
	 * receipt.
	 */
	void dispatch(Message message, Channel channel) {
		Observation received = RabbitListenerObservation.LISTENER_OBSERVATION.observation(null,
				RabbitListenerObservation.DefaultRabbitListenerObservationConvention.INSTANCE,
				() -> new RabbitMessageReceiverContext(message, LISTENER_ID), this.observationRegistry);
		received.observe(() -> execute(message, channel, received));
	}

	private void execute(Message message, Channel channel, Observation received) {
		this.slots.acquireUninterruptibly();
		try {
			this.executor.execute(() -> {
				try {
					this.runner.run(message, channel, received);
				}
				finally {
					this.slots.release();
				}
			});
		}
		catch (RuntimeException ex) {
			this.slots.release();
			throw ex;
		}
	}

	/**
	 * Waits until no task runs.
	 * @param timeout how long to wait at most
	 * @return whether no task runs
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitIdle(Duration timeout) throws InterruptedException {
		return this.slots.tryAcquire(this.maxRunningTasks, timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Stops the container: unacknowledged messages go back to the queue. */
	void stopContainer() {
		if (this.container != null) {
			this.container.stop();
			this.container.destroy();
		}
	}

	/** Stops the task threads. */
	void shutdownExecutor() {
		if (this.executor instanceof ExecutorService service) {
			service.shutdownNow();
		}
	}

	boolean usesVirtualThreads() {
		return this.virtualThreads;
	}

}
