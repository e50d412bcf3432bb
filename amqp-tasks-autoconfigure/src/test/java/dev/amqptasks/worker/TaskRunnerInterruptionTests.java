package dev.amqptasks.worker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a worker that is shutting down tells a task interrupted by it (given back to the
 * queue) from a task that failed: the interruption may surface in many forms.
 */
@Tag("fast")
class TaskRunnerInterruptionTests {

	@Test
	void aBareInterruptedExceptionIsAnInterruption() {
		assertThat(TaskRunner.isInterruption(new InterruptedException())).isTrue();
	}

	@Test
	void anInterruptedChannelIsAnInterruption() {
		assertThat(TaskRunner.isInterruption(new ClosedByInterruptException())).isTrue();
	}

	@Test
	void anInterruptedStreamIsAnInterruption() {
		assertThat(TaskRunner.isInterruption(new InterruptedIOException("read interrupted"))).isTrue();
	}

	@Test
	void anInterruptionWrappedInOtherExceptionsIsAnInterruption() {
		assertThat(TaskRunner.isInterruption(
				new CompletionException(new UncheckedIOException(new InterruptedIOException("interrupted")))))
			.isTrue();
		assertThat(TaskRunner.isInterruption(new IllegalStateException("wrapped", new InterruptedException())))
			.isTrue();
	}

	@Test
	void otherFailuresAreNotInterruptions() {
		assertThat(TaskRunner.isInterruption(new IllegalStateException("boom"))).isFalse();
		assertThat(TaskRunner.isInterruption(new RuntimeException(new UncheckedIOException(new IOException("reset")))))
			.isFalse();
		assertThat(TaskRunner.isInterruption(null)).isFalse();
	}

}
