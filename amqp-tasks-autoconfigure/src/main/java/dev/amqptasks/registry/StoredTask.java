package dev.amqptasks.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskExpiredException;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.NewTask;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task as both registries keep it: JSON as text, times as epoch milliseconds. The field
 * names are those of the Redis hash and of the Lua scripts. Not thread-safe; the
 * in-memory registry guards its instances with its own lock.
 */
final class StoredTask {

	static final String ID = "id";

	static final String NAME = "name";

	static final String STATUS = "status";

	static final String ARGS = "args";

	static final String KWARGS = "kwargs";

	static final String RESULT = "result";

	static final String ERROR = "error";

	static final String ATTEMPTS = "attempts";

	static final String MAX_RETRIES = "maxRetries";

	static final String CREATED_AT = "createdAt";

	static final String STARTED_AT = "startedAt";

	static final String FINISHED_AT = "finishedAt";

	static final String UPDATED_AT = "updatedAt";

	static final String WORKER = "worker";

	static final String PROGRESS = "progress";

	static final String CANCEL_REQUESTED = "cancelRequested";

	static final String LEASE_UNTIL = "leaseUntil";

	/** The token of the attempt that holds the task while it runs. */
	static final String TOKEN = "token";

	static final String REPLAYS = "replays";

	/** The longest event log kept; older entries are dropped first. */
	static final int EVENT_LOG_CAP = 1000;

	/**
	 * The error of a task whose message arrived after its entry may have expired as it
	 * was meant to: running it could undo a cancel or a finish.
	 */
	static final TaskError EXPIRED_ERROR = new TaskError(TaskExpiredException.class.getName(),
			"The task's message arrived after the registry may have forgotten the task (it waited longer than the "
					+ "registry's time to live): it was not run, since it may have been canceled or finished. "
					+ "Retry it to run it.");

	/** The event log message of a replay, {@code %d} being the replay number. */
	static final String REPLAYED_MESSAGE = "Replayed (replay %d)";

	String id;

	String name;

	TaskStatus status;

	String argsJson;

	String kwargsJson;

	String resultJson;

	String errorJson;

	int attempts;

	int maxRetries;

	long createdAt;

	Long startedAt;

	Long finishedAt;

	long updatedAt;

	String worker;

	Double progress;

	boolean cancelRequested;

	/**
	 * Until when the running attempt is held without a renewal (epoch ms), or
	 * {@code null}.
	 */
	Long leaseUntil;

	/** The token of the attempt holding the running task, or {@code null}. */
	String token;

	/**
	 * When the task expires (epoch ms); kept by the in-memory registry, Redis has its
	 * own.
	 */
	long expiresAt;

	/** The token of the replay that scheduled the task last, or {@code null}. */
	String replayToken;

	/**
	 * How many times the task was replayed: messages of earlier runs carry a lower
	 * number.
	 */
	int replays;

	List<TaskEvent> events = new ArrayList<>();

	/**
	 * A task as a producer or a worker stores it.
	 * @param task the new task
	 * @param status the initial state
	 * @param now the current time
	 * @return the task
	 */
	static StoredTask of(NewTask task, TaskStatus status, long now) {
		StoredTask stored = new StoredTask();
		stored.id = task.id();
		stored.name = task.name();
		stored.status = status;
		stored.argsJson = task.argsJson();
		stored.kwargsJson = task.kwargsJson();
		stored.maxRetries = task.maxRetries();
		stored.createdAt = now;
		stored.updatedAt = now;
		return stored;
	}

	/**
	 * Until when a task that the registry does not have may be stored again from its
	 * message: before then, its entry cannot have expired as it was meant to (it lives at
	 * least the time to live after the message was sent and after its delay), so it was
	 * lost.
	 * @param task the task as its message carries it
	 * @param ttlMillis the registry's time to live
	 * @return the time, or {@code null} if the message does not say when it was sent
	 */
	static Instant recreateUntil(NewTask task, long ttlMillis) {
		if (task.sentAt() == null) {
			return null;
		}
		Instant since = (task.notBefore() != null && task.notBefore().isAfter(task.sentAt())) ? task.notBefore()
				: task.sentAt();
		return since.plusMillis(ttlMillis);
	}

	/**
	 * Reads a task from its Redis hash and event log.
	 * @param hash the fields of the task hash
	 * @param log the event log entries, oldest first, as written by {@link #logEntry}
	 * @param json the mapper
	 * @return the task
	 */
	static StoredTask fromHash(Map<String, String> hash, List<String> log, JsonMapper json) {
		StoredTask stored = new StoredTask();
		stored.id = hash.get(ID);
		stored.name = hash.get(NAME);
		stored.status = TaskStatus.fromValue(hash.get(STATUS))
			.orElseThrow(() -> new IllegalStateException("Unknown status in task " + hash));
		stored.argsJson = hash.get(ARGS);
		stored.kwargsJson = hash.get(KWARGS);
		stored.resultJson = hash.get(RESULT);
		stored.errorJson = hash.get(ERROR);
		stored.attempts = Integer.parseInt(hash.getOrDefault(ATTEMPTS, "0"));
		stored.maxRetries = Integer.parseInt(hash.getOrDefault(MAX_RETRIES, "0"));
		stored.createdAt = Long.parseLong(hash.get(CREATED_AT));
		stored.startedAt = parseLong(hash.get(STARTED_AT));
		stored.finishedAt = parseLong(hash.get(FINISHED_AT));
		stored.updatedAt = Long.parseLong(hash.get(UPDATED_AT));
		stored.worker = hash.get(WORKER);
		stored.progress = (hash.get(PROGRESS) != null) ? Double.valueOf(hash.get(PROGRESS)) : null;
		stored.cancelRequested = "1".equals(hash.get(CANCEL_REQUESTED));
		stored.leaseUntil = parseLong(hash.get(LEASE_UNTIL));
		stored.token = hash.get(TOKEN);
		stored.replays = Integer.parseInt(hash.getOrDefault(REPLAYS, "0"));
		for (String entry : log) {
			JsonNode node = json.readTree(entry);
			stored.events
				.add(new TaskEvent(Instant.ofEpochMilli(node.get("at").asLong()), node.get("message").asString()));
		}
		return stored;
	}

	private static Long parseLong(String value) {
		return (value != null) ? Long.valueOf(value) : null;
	}

	/**
	 * The task view.
	 * @param json the mapper that parses the stored JSON
	 * @return the view
	 */
	TaskInfo toInfo(JsonMapper json) {
		TaskError error = (this.errorJson != null) ? json.readValue(this.errorJson, TaskError.class) : null;
		return new TaskInfo(this.id, this.name, this.status, parse(json, this.argsJson), parse(json, this.kwargsJson),
				parse(json, this.resultJson), error, this.attempts, this.maxRetries,
				Instant.ofEpochMilli(this.createdAt), instant(this.startedAt), instant(this.finishedAt),
				Instant.ofEpochMilli(this.updatedAt), this.worker, this.progress, this.events, this.replays);
	}

	private static JsonNode parse(JsonMapper json, String text) {
		return (text != null) ? json.readTree(text) : null;
	}

	private static Instant instant(Long epochMillis) {
		return (epochMillis != null) ? Instant.ofEpochMilli(epochMillis) : null;
	}

	/**
	 * Checks that text is one JSON value, so that a bad value never reaches the registry
	 * where it would break every read of the task.
	 * @param json the mapper
	 * @param text the text to check
	 * @param what what the text is, for the message
	 * @return the text
	 * @throws IllegalArgumentException if the text is not JSON
	 */
	static String requireJson(JsonMapper json, String text, String what) {
		try {
			if (text != null && !json.readTree(text).isMissingNode()) {
				return text;
			}
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(what + " is not valid JSON: " + ex.getOriginalMessage());
		}
		throw new IllegalArgumentException(what + " is not valid JSON: empty");
	}

	/**
	 * The stored form of an error.
	 * @param json the mapper
	 * @param error the error
	 * @return the error as JSON text
	 */
	static String errorJson(JsonMapper json, TaskError error) {
		return json.writeValueAsString(error);
	}

	/**
	 * The stored form of an event log entry.
	 * @param json the mapper
	 * @param at when, in epoch milliseconds
	 * @param message the message
	 * @return the entry as JSON text
	 */
	static String logEntry(JsonMapper json, long at, String message) {
		return json.writeValueAsString(json.createObjectNode().put("at", at).put("message", message));
	}

	/**
	 * Validates a progress fraction.
	 * @param fraction the fraction
	 * @return the fraction
	 * @throws IllegalArgumentException if it is not between 0 and 1
	 */
	static double requireFraction(double fraction) {
		if (!(fraction >= 0 && fraction <= 1)) {
			throw new IllegalArgumentException("progress must be between 0 and 1, was " + fraction);
		}
		return fraction;
	}

}
