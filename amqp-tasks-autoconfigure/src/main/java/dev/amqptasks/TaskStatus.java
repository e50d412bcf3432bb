package dev.amqptasks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The states of a task. {@link #FINISHED}, {@link #ERRORED} and {@link #CANCELED} are
 * final.
 */
public enum TaskStatus {

	/** Stored and published; waiting for a worker. */
	SCHEDULED,

	/** A worker is running an attempt. */
	RUNNING,

	/** An attempt failed and a retry is queued. */
	RETRYING,

	/** Ran to completion; the result is stored. */
	FINISHED,

	/** Failed with no retry left. */
	ERRORED,

	/** Canceled before or while running. */
	CANCELED;

	private final String value = name().toLowerCase(Locale.ROOT);

	/**
	 * Whether no further change follows this state (except an explicit replay).
	 * @return whether the state is final
	 */
	public boolean isFinal() {
		return this == FINISHED || this == ERRORED || this == CANCELED;
	}

	/**
	 * The lower-case name used in JSON, in Redis and in query parameters.
	 * @return the external name
	 */
	@JsonValue
	public String value() {
		return this.value;
	}

	/**
	 * Looks a state up by its external name.
	 * @param value the lower-case name, for example {@code "running"}
	 * @return the state, or empty when no state has that name
	 */
	public static Optional<TaskStatus> fromValue(String value) {
		return Arrays.stream(values()).filter((status) -> status.value.equals(value)).findFirst();
	}

}
