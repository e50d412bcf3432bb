package dev.amqptasks.amqp;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.micrometer.RabbitMessageSenderContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskTemplateObservationConvention}.
 */
@Tag("fast")
class TaskTemplateObservationConventionTests {

	private final TaskTemplateObservationConvention convention = new TaskTemplateObservationConvention(
			new TaskTopology("tasks", "tasks", Duration.ofDays(7), new DelayLadder()));

	@Test
	void aPerDelayQueueIsOneTagValueWhateverTheDelay() {
		RabbitMessageSenderContext context = send("", "tasks-delay-1500");

		assertThat(this.convention.getLowCardinalityKeyValues(context)
			.stream()
			.filter((keyValue) -> keyValue.getKey().equals("messaging.rabbitmq.destination.routing_key")))
			.singleElement()
			.satisfies((keyValue) -> assertThat(keyValue.getValue()).isEqualTo("tasks-delay-*"));
		assertThat(this.convention.getContextualName(context)).isEqualTo("/tasks-delay-* send");
	}

	@Test
	void theTaskQueuesKeepTheirNames() {
		RabbitMessageSenderContext context = send("tasks", "tasks-delay");

		assertThat(this.convention.getLowCardinalityKeyValues(context)
			.stream()
			.filter((keyValue) -> keyValue.getKey().equals("messaging.rabbitmq.destination.routing_key")))
			.singleElement()
			.satisfies((keyValue) -> assertThat(keyValue.getValue()).isEqualTo("tasks-delay"));
		assertThat(this.convention.getContextualName(context)).isEqualTo("tasks/tasks-delay send");
	}

	private static RabbitMessageSenderContext send(String exchange, String routingKey) {
		return new RabbitMessageSenderContext(new Message(new byte[0], new MessageProperties()), "template", exchange,
				routingKey);
	}

}
