/**
 * The API an application types: {@link dev.amqptasks.AmqpTask},
 * {@link dev.amqptasks.TaskClient}, {@link dev.amqptasks.TaskHandle},
 * {@link dev.amqptasks.TaskContext}, the task views and options, and the exceptions,
 * including those whose names are stored as error types. It depends on no other package
 * of amqp-tasks.
 */
package dev.amqptasks;
