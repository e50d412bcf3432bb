package dev.amqptasks;

import java.time.Instant;

/**
 * One line of a task's event log.
 *
 * @param at when it was written
 * @param message what was written
 */
public record TaskEvent(Instant at, String message) {
}
