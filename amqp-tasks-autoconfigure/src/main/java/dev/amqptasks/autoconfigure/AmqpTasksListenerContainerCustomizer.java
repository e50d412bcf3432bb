package dev.amqptasks.autoconfigure;

import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Callback interface for beans that customize the listener container a worker consumes
 * task messages with, each time the worker starts one. Applied in order, after amqp-tasks
 * has set the queues, the manual acknowledgement, the prefetch and the listener, which a
 * customizer must not change: the worker relies on them.
 */
@FunctionalInterface
public interface AmqpTasksListenerContainerCustomizer {

	/**
	 * Customizes the container.
	 * @param container the container, not started yet
	 */
	void customize(DirectMessageListenerContainer container);

}
