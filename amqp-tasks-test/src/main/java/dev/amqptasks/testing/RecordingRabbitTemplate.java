package dev.amqptasks.testing;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.ChannelCallback;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * A template that hands every message to {@link RecordedTasks} and confirms it at once,
 * instead of talking to a broker. Channel work (declaring a delay queue) does nothing.
 */
final class RecordingRabbitTemplate extends RabbitTemplate {

	private final RecordedTasks recorder;

	RecordingRabbitTemplate(RecordedTasks recorder) {
		this.recorder = recorder;
	}

	@Override
	public void send(String exchange, String routingKey, Message message, CorrelationData correlationData)
			throws AmqpException {
		this.recorder.record(message);
		if (correlationData != null) {
			correlationData.getFuture().complete(new CorrelationData.Confirm(true, null));
		}
	}

	@Override
	public <T> T invoke(RabbitOperations.OperationsCallback<T> action, com.rabbitmq.client.ConfirmCallback acks,
			com.rabbitmq.client.ConfirmCallback nacks) {
		return action.doInRabbit(this);
	}

	@Override
	public <T> T execute(ChannelCallback<T> action) {
		return null;
	}

}
