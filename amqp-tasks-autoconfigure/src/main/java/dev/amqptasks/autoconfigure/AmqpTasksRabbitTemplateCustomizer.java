package dev.amqptasks.autoconfigure;

import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Callback interface for beans that customize the {@link RabbitTemplate} amqp-tasks
 * publishes task messages with (the bean {@code amqpTasksPublisher} holds it). It is
 * separate from Spring Boot's {@code RabbitTemplateCustomizer}, which customizes the
 * application's own template. Applied in order, before amqp-tasks sets what it relies on:
 * the template stays mandatory, and its connection factory must have correlated publisher
 * confirms.
 */
@FunctionalInterface
public interface AmqpTasksRabbitTemplateCustomizer {

	/**
	 * Customizes the template.
	 * @param rabbitTemplate the template
	 */
	void customize(RabbitTemplate rabbitTemplate);

}
