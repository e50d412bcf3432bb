package dev.amqptasks.amqp;

import io.micrometer.common.KeyValues;

import org.springframework.amqp.rabbit.support.micrometer.RabbitMessageSenderContext;
import org.springframework.amqp.rabbit.support.micrometer.RabbitTemplateObservation;

/**
 * Spring AMQP's convention for observing a publish, with the delay queues
 * ({@code <queue>-delay-<step millis>}) named {@code <queue>-delay-*}: their routing key
 * would otherwise make each step of the delay ladder a metric tag value of its own.
 */
final class TaskTemplateObservationConvention
		extends RabbitTemplateObservation.DefaultRabbitTemplateObservationConvention {

	private final String delayQueuePrefix;

	TaskTemplateObservationConvention(TaskTopology topology) {
		this.delayQueuePrefix = topology.queue() + "-delay-";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RabbitMessageSenderContext context) {
		return super.getLowCardinalityKeyValues(context).and(
				RabbitTemplateObservation.TemplateLowCardinalityTags.ROUTING_KEY.asString(),
				bounded(context.getRoutingKey()));
	}

	@Override
	public String getContextualName(RabbitMessageSenderContext context) {
		return context.getExchange() + "/" + bounded(context.getRoutingKey()) + " send";
	}

	String bounded(String routingKey) {
		if (routingKey != null && routingKey.startsWith(this.delayQueuePrefix)) {
			return this.delayQueuePrefix + "*";
		}
		return routingKey;
	}

}
