package dev.amqptasks.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

/**
 * RAW: the broker's own limit for the task system's message pattern, without the task
 * system. One producer publishes persistent messages of a task message's size, with the
 * same properties, to a direct exchange bound to one durable classic queue, keeping at
 * most {@value #CONFIRM_WINDOW} unconfirmed; one consumer acknowledges each message
 * manually. The rate is the consumer's, measured after a warm-up.
 */
final class RawLimit {

	static final int CONFIRM_WINDOW = 100;

	private static final long WARMUP_MILLIS = 2000;

	private RawLimit() {
	}

	/**
	 * The result of a run.
	 *
	 * @param consumedPerSecond messages acknowledged by the consumer per second (the
	 * figure)
	 * @param publishedPerSecond messages confirmed to the producer per second
	 * @param bodyBytes the size of each message body
	 * @param consumed messages consumed in the whole run, warm-up included
	 */
	record Result(double consumedPerSecond, double publishedPerSecond, int bodyBytes, long consumed) {
	}

	static Result run(ConnectionFactory factory, String queue, int seconds, int prefetch) throws Exception {
		byte[] body = ("{\"id\":\"" + UUID.randomUUID() + "\",\"task\":\"bench.noop\",\"args\":[],\"kwargs\":{}}")
			.getBytes(StandardCharsets.UTF_8);
		AtomicLong consumed = new AtomicLong();
		AtomicLong confirmed = new AtomicLong();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		try (Connection consumerConnection = factory.newConnection("amqp-tasks-benchmark-raw-consumer");
				Connection producerConnection = factory.newConnection("amqp-tasks-benchmark-raw-producer")) {
			Channel consumerChannel = consumerConnection.createChannel();
			consumerChannel.exchangeDeclare(queue, "direct", true);
			consumerChannel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "classic"));
			consumerChannel.queueBind(queue, queue, queue);
			if (prefetch > 0) {
				consumerChannel.basicQos(prefetch);
			}
			consumerChannel.basicConsume(queue, false, new DefaultConsumer(consumerChannel) {
				@Override
				public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
						byte[] message) throws IOException {
					getChannel().basicAck(envelope.getDeliveryTag(), false);
					consumed.incrementAndGet();
				}
			});

			Channel producer = producerConnection.createChannel();
			producer.confirmSelect();
			Semaphore window = new Semaphore(CONFIRM_WINDOW);
			NavigableSet<Long> outstanding = new ConcurrentSkipListSet<>();
			producer.addConfirmListener((tag, multiple) -> {
				confirmed.addAndGet(release(outstanding, window, tag, multiple));
			}, (tag, multiple) -> {
				release(outstanding, window, tag, multiple);
				failure.compareAndSet(null, new IOException("The broker nacked message " + tag));
			});
			AtomicBoolean stop = new AtomicBoolean();
			Thread publisher = new Thread(() -> {
				try {
					while (!stop.get() && failure.get() == null) {
						if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
							continue;
						}
						long tag = producer.getNextPublishSeqNo();
						outstanding.add(tag);
						String id = UUID.randomUUID().toString();
						AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id)
							.contentType("application/json")
							.contentEncoding("UTF-8")
							.deliveryMode(2)
							.priority(0)
							.headers(Map.of("x-amqp-tasks-task", "bench.noop"))
							.build();
						producer.basicPublish(queue, queue, true, properties, body);
					}
				}
				catch (Exception ex) {
					failure.compareAndSet(null, ex);
				}
			}, "raw-publisher");
			publisher.start();

			Thread.sleep(WARMUP_MILLIS);
			long consumedStart = consumed.get();
			long confirmedStart = confirmed.get();
			long start = System.nanoTime();
			Thread.sleep(seconds * 1000L);
			long consumedEnd = consumed.get();
			long confirmedEnd = confirmed.get();
			double elapsed = (System.nanoTime() - start) / 1e9;
			stop.set(true);
			publisher.join(10_000);
			producer.waitForConfirms(10_000);
			if (failure.get() != null) {
				throw new IllegalStateException("RAW failed: " + failure.get(), failure.get());
			}
			return new Result((consumedEnd - consumedStart) / elapsed, (confirmedEnd - confirmedStart) / elapsed,
					body.length, Math.max(consumed.get(), 1));
		}
	}

	private static long release(NavigableSet<Long> outstanding, Semaphore window, long tag, boolean multiple) {
		long released = 0;
		if (multiple) {
			NavigableSet<Long> done = outstanding.headSet(tag, true);
			while (done.pollFirst() != null) {
				released++;
			}
		}
		else if (outstanding.remove(tag)) {
			released = 1;
		}
		window.release((int) released);
		return released;
	}

}
