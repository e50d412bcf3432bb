package dev.amqptasks;

/**
 * Why a task failed, as data: the exception's type and message.
 *
 * @param type the fully qualified name of the exception type
 * @param message the exception's message, or {@code null}
 */
public record TaskError(String type, String message) {

	/**
	 * Describes an exception thrown by task code.
	 * @param ex the exception
	 * @return the error
	 */
	public static TaskError of(Throwable ex) {
		return new TaskError(ex.getClass().getName(), ex.getMessage());
	}

}
