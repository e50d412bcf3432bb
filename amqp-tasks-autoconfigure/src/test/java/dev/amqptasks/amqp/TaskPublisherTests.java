package dev.amqptasks.amqp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.test.LocalServices;
import io.micrometer.observation.Observation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link TaskPublisher}, on the real broker with queues of their own.
 */
class TaskPublisherTests {

	private final String queue = LocalServices.uniqueName("publisher");

	private final JsonMapper json = JsonMapper.builder().build();

	/** An exchange that is never declared: a publish to it closes its channel. */
	private final TaskTopology topology = new TaskTopology(this.queue + "-missing", this.queue, Duration.ofDays(1),
			new DelayLadder());

	private final CachingConnectionFactory connectionFactory = new CachingConnectionFactory(
			LocalServices.rabbit().host(), LocalServices.rabbit().port());

	private final RabbitAdmin admin = new RabbitAdmin(this.connectionFactory);

	@AfterEach
	void deleteTheQueues() {
		try {
			this.topology.delayQueues().forEach(this.admin::deleteQueue);
		}
		finally {
			this.connectionFactory.destroy();
		}
	}

	@Test
	void aChannelErrorPartWayThroughABatchFailsOnlyTheMessageThatCausedIt() {
		this.connectionFactory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
		this.connectionFactory.setPublisherReturns(true);
		TaskPublisher publisher = new TaskPublisher(new RabbitTemplate(this.connectionFactory), this.topology,
				this.json, Duration.ofSeconds(10), Clock.systemUTC());
		Instant due = Instant.now().plusSeconds(60);

		List<TaskPublisher.Confirmation> confirmations = publisher.publishAll(List.of(delayed("a", due),
				delayed("b", null), delayed("c", due), delayed("d", due), delayed("e", due)));

		for (int i : new int[] { 0, 2, 3, 4 }) {
			confirmations.get(i).await();
		}
		assertThatExceptionOfType(TaskEnqueueException.class).isThrownBy(() -> confirmations.get(1).await())
			.withMessageContaining("'b'");
		// Sent again on a fresh channel where the broker did not confirm: perhaps twice,
		// never lost.
		assertThat(idsWaitingInDelayQueues()).containsExactlyInAnyOrder("a", "c", "d", "e");
	}

	private TaskPublisher.Publication delayed(String id, Instant notBefore) {
		return new TaskPublisher.Publication(
				new TaskMessage(id, "test.task", this.json.createArrayNode(), this.json.createObjectNode())
					.withNotBefore(notBefore),
				Observation.NOOP);
	}

	private Set<String> idsWaitingInDelayQueues() {
		RabbitTemplate template = new RabbitTemplate(this.connectionFactory);
		Set<String> ids = new HashSet<>();
		for (String delayQueue : this.topology.delayQueues()) {
			if (this.admin.getQueueInfo(delayQueue) != null) {
				for (Message message = template.receive(delayQueue); message != null; message = template
					.receive(delayQueue)) {
					ids.add(message.getMessageProperties().getMessageId());
				}
			}
		}
		return ids;
	}

}
