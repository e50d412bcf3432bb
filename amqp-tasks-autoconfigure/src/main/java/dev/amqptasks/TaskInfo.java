package dev.amqptasks;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * What the registry knows of one task: the task view of the HTTP API.
 *
 * @param id the task id
 * @param name the task name
 * @param status the current state
 * @param args positional arguments (a JSON array)
 * @param kwargs named arguments (a JSON object)
 * @param result the result once {@code finished} (any JSON value, {@code null} included)
 * @param error why it failed, or {@code null}
 * @param attempts how many runs have started
 * @param maxRetries retries allowed after the first attempt, {@code -1} for no limit
 * @param createdAt when it was first stored
 * @param startedAt when the last attempt started, or {@code null}
 * @param finishedAt when it reached a final state, or {@code null}
 * @param updatedAt when it last changed
 * @param worker the id of the worker that ran it last, or {@code null}
 * @param progress the fraction done reported by the task (0 to 1), or {@code null}
 * @param eventlog the messages logged by the task and by the system
 * @param replays how many times the task was replayed after it ended
 */
public record TaskInfo(String id, String name, TaskStatus status, JsonNode args, JsonNode kwargs, JsonNode result,
		TaskError error, int attempts, int maxRetries, Instant createdAt, Instant startedAt, Instant finishedAt,
		Instant updatedAt, String worker, Double progress, List<TaskEvent> eventlog, int replays) {

	public TaskInfo {
		eventlog = List.copyOf(eventlog);
	}

}
