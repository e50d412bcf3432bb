package dev.amqptasks;

import java.util.regex.Pattern;

/**
 * What a task id may be. An id is 1 to 200 characters from {@code A-Z}, {@code a-z},
 * {@code 0-9}, {@code -}, {@code _}, {@code .} and {@code :}, starting with a letter or a
 * digit: an id of that form is the same in a URL path, a Redis key, an AMQP message id
 * and a log line, so every endpoint of the HTTP API can reach it. Generated ids (UUIDs)
 * have that form; any other id is refused before anything is stored, published or run.
 */
public final class TaskIds {

	/** The longest id. */
	public static final int MAX_LENGTH = 200;

	/** The form of a task id. */
	public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_LENGTH - 1) + "}");

	private static final String RULE = "1 to " + MAX_LENGTH + " characters from A-Z, a-z, 0-9, '-', '_', '.' and "
			+ "':', starting with a letter or a digit";

	private TaskIds() {
	}

	/**
	 * Whether a string is a valid task id.
	 * @param id the candidate
	 * @return whether it is a valid id
	 */
	public static boolean isValid(String id) {
		return id != null && PATTERN.matcher(id).matches();
	}

	/**
	 * Checks a task id.
	 * @param id the candidate
	 * @return the id
	 * @throws IllegalArgumentException if it is not a valid id, with a message that says
	 * what is
	 */
	public static String requireValid(String id) {
		if (!isValid(id)) {
			throw new IllegalArgumentException(describeInvalid(id));
		}
		return id;
	}

	/**
	 * Says why a string is not a valid task id.
	 * @param id the invalid id
	 * @return the message
	 */
	public static String describeInvalid(String id) {
		return "Invalid task id " + describe(id) + ": a task id is " + RULE;
	}

	private static String describe(String id) {
		if (id == null) {
			return "null";
		}
		// Short and on one line, whatever the caller sent.
		String shown = (id.length() > 40) ? id.substring(0, 40) + "..." : id;
		StringBuilder quoted = new StringBuilder("'");
		shown.codePoints().forEach((c) -> {
			if (Character.isISOControl(c)) {
				quoted.append(String.format("\\u%04x", c));
			}
			else {
				quoted.appendCodePoint(c);
			}
		});
		return quoted.append('\'').toString();
	}

}
