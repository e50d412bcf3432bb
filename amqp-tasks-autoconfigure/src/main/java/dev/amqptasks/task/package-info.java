/**
 * The task model: the definitions found on {@code @AmqpTask} methods, their catalog,
 * argument binding, retry policy, and the invocation of a task method on a worker.
 * Internal.
 */
package dev.amqptasks.task;
