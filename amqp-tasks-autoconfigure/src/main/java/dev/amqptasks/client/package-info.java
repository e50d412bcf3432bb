/**
 * The producer side: enqueue (batched, stored then published with a confirm), replay, the
 * handles and futures handed to callers, the {@code TaskClient} implementation and the
 * proxy of {@code @AmqpTask} beans. Internal.
 */
package dev.amqptasks.client;
