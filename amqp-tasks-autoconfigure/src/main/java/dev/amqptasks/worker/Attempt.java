package dev.amqptasks.worker;

import dev.amqptasks.amqp.TaskMessage;

/**
 * An attempt this worker runs.
 *
 * @param task the task as its message carries it
 * @param token the token under which the attempt holds the task
 * @param number the attempt number, from 1
 */
record Attempt(TaskMessage task, String token, int number) {
}
