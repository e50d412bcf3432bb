package dev.amqptasks.worker;

/**
 * The type recorded when a task ends {@code errored} because attempts that started and never
 * ended (their worker died) used up its retries. Never thrown: it names the error.
 */
final class TaskGaveUpException extends RuntimeException {

	private TaskGaveUpException() {
	}

}
