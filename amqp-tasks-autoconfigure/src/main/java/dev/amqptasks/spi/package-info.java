/**
 * Extension points that users implement or read: the
 * {@link dev.amqptasks.spi.TaskRegistry} contract and its values, the
 * {@link dev.amqptasks.spi.TaskTransitions} table, listeners, queue depths, the worker
 * directory, the API permissions, and the header and observation names. It depends only
 * on {@code dev.amqptasks}.
 */
package dev.amqptasks.spi;
