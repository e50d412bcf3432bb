package dev.amqptasks.amqp;

import java.time.Duration;
import java.util.List;

import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RabbitTaskQueueDepths}, on the real broker with queues of their own.
 */
class RabbitTaskQueueDepthsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final String queue = LocalServices.uniqueName("depths");

	private final TaskTopology topology = new TaskTopology(this.queue, this.queue, Duration.ofDays(1),
			new DelayLadder());

	private final CachingConnectionFactory connectionFactory = new CachingConnectionFactory(
			LocalServices.rabbit().host(), LocalServices.rabbit().port());

	private final RabbitAdmin admin = new RabbitAdmin(this.connectionFactory);

	@AfterEach
	void deleteTheQueues() {
		try {
			this.admin.deleteQueue(this.topology.queue());
			this.topology.delayQueues().forEach(this.admin::deleteQueue);
			this.admin.deleteQueue(this.topology.errorQueue());
		}
		finally {
			this.connectionFactory.destroy();
		}
	}

	@Test
	void theDepthsAreUnknownUntilTheFirstPoll() {
		RabbitTaskQueueDepths depths = new RabbitTaskQueueDepths(this.connectionFactory, this.topology,
				Duration.ofSeconds(15));

		assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(-1, -1, -1));
	}

	@Test
	void aPollCountsTheMessagesOfEachQueue() {
		declare(this.topology.queue(), this.topology.errorQueue());
		send(this.topology.queue(), 2);
		send(this.topology.errorQueue(), 1);
		RabbitTaskQueueDepths depths = new RabbitTaskQueueDepths(this.connectionFactory, this.topology,
				Duration.ofSeconds(15));

		await().atMost(TIMEOUT).untilAsserted(() -> {
			depths.poll();
			assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(2, 0, 1));
		});
	}

	@Test
	void theDelayCountIsTheSumOverTheDelayQueuesOfTheLadderThatExistFoundAFewPerPoll() {
		List<String> delayQueues = this.topology.delayQueues();
		String shortStep = delayQueues.get(0);
		String longStep = delayQueues.get(delayQueues.size() - 1);
		declare(this.topology.queue(), this.topology.errorQueue(), shortStep, longStep);
		send(shortStep, 2);
		send(longStep, 3);
		RabbitTaskQueueDepths depths = new RabbitTaskQueueDepths(this.connectionFactory, this.topology,
				Duration.ofSeconds(15));

		depths.poll();
		assertThat(depths.current().delay()).isEqualTo(2);
		// The ladder's 120 queues, 8 looked for per poll: the last is found by the 15th
		// poll.
		for (int poll = 2; poll <= 15; poll++) {
			depths.poll();
		}
		assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(0, 5, 0));
		this.admin.deleteQueue(shortStep);
		depths.poll();
		assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(0, 3, 0));
	}

	@Test
	void aQueueThatDoesNotExistCountsMinusOneAndTheOthersAreStillCounted() {
		declare(this.topology.queue());
		RabbitTaskQueueDepths depths = new RabbitTaskQueueDepths(this.connectionFactory, this.topology,
				Duration.ofSeconds(15));

		depths.poll();

		assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(0, 0, -1));
	}

	@Test
	void anUnreachableBrokerMakesEveryQueueUnknown() {
		CachingConnectionFactory nowhere = new CachingConnectionFactory("127.0.0.1", 1);
		try {
			RabbitTaskQueueDepths depths = new RabbitTaskQueueDepths(nowhere, this.topology, Duration.ofSeconds(15));

			depths.poll();

			assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(-1, -1, -1));
		}
		finally {
			nowhere.destroy();
		}
	}

	@Test
	void onceStartedItPollsInTheBackgroundUntilStopped() {
		declare(this.topology.queue(), this.topology.errorQueue());
		RabbitTaskQueueDepths depths = new RabbitTaskQueueDepths(this.connectionFactory, this.topology,
				Duration.ofMillis(100));

		depths.start();
		try {
			await().atMost(TIMEOUT).until(() -> depths.current().main() == 0);
			send(this.topology.queue(), 1);
			await().atMost(TIMEOUT).until(() -> depths.current().main() == 1);
		}
		finally {
			depths.stop();
		}

		assertThat(depths.isRunning()).isFalse();
		assertThat(depths.current()).isEqualTo(new TaskQueueDepths.Depths(-1, -1, -1));
	}

	private void declare(String... queues) {
		for (String name : queues) {
			this.admin.declareQueue(new Queue(name, false, false, true));
		}
	}

	private void send(String queue, int messages) {
		RabbitTemplate template = new RabbitTemplate(this.connectionFactory);
		for (int i = 0; i < messages; i++) {
			template.convertAndSend("", queue, "message " + i);
		}
	}

}
