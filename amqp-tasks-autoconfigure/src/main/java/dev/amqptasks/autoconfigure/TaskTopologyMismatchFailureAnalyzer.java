package dev.amqptasks.autoconfigure;

import dev.amqptasks.TaskTopologyMismatchException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a task queue that exists on the broker with other arguments.
 */
final class TaskTopologyMismatchFailureAnalyzer extends AbstractFailureAnalyzer<TaskTopologyMismatchException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TaskTopologyMismatchException cause) {
		return new FailureAnalysis(
				"A task queue or exchange exists on the broker with other arguments than this application declares: "
						+ cause.getBrokerReply(),
				"Make amqp-tasks.error-queue-ttl match the application that created "
						+ "the queue, or delete the queue named above (it is declared again at start-up), or use "
						+ "another amqp-tasks.queue.",
				cause);
	}

}
