package dev.amqptasks.spi;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of a listing ended: the last task's creation time and id. Tasks are
 * ordered by creation time, then by id, both descending, so a cursor stays valid while
 * tasks change state.
 *
 * @param createdAtMillis the creation time of the last task returned, in epoch
 * milliseconds
 * @param id the id of the last task returned
 */
public record TaskCursor(long createdAtMillis, String id) {

	/**
	 * The opaque text form used in the HTTP API.
	 * @return the encoded cursor
	 */
	public String encode() {
		String plain = this.createdAtMillis + ":" + this.id;
		return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Reads the text form.
	 * @param text an encoded cursor
	 * @return the cursor
	 * @throws IllegalArgumentException if the text is not a cursor
	 */
	public static TaskCursor decode(String text) {
		String plain;
		try {
			plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Invalid cursor '" + text + "'");
		}
		int colon = plain.indexOf(':');
		if (colon < 1 || colon == plain.length() - 1) {
			throw new IllegalArgumentException("Invalid cursor '" + text + "'");
		}
		try {
			return new TaskCursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Invalid cursor '" + text + "'");
		}
	}

}
