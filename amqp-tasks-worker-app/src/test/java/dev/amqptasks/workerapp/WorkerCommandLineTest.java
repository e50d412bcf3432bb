package dev.amqptasks.workerapp;

import dev.amqptasks.workerapp.WorkerCommandLine.InvalidOptionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link WorkerCommandLine}.
 */
@Tag("fast")
class WorkerCommandLineTest {

	@Test
	void maxRunningTasksWithEqualsSignBecomesTheWorkerProperty() {
		assertThat(WorkerCommandLine.parse("--max-running-tasks=10").springArgs())
			.containsExactly("--amqp-tasks.worker.max-running-tasks=10");
	}

	@Test
	void maxRunningTasksWithSeparateValueBecomesTheWorkerProperty() {
		assertThat(WorkerCommandLine.parse("--max-running-tasks", "10").springArgs())
			.containsExactly("--amqp-tasks.worker.max-running-tasks=10");
	}

	@Test
	void autoKillTimeoutWithEqualsSignBecomesADurationInSeconds() {
		assertThat(WorkerCommandLine.parse("--auto-kill-timeout=60").springArgs())
			.containsExactly("--amqp-tasks.worker.auto-kill-timeout=60s");
	}

	@Test
	void autoKillTimeoutWithSeparateValueBecomesADurationInSeconds() {
		assertThat(WorkerCommandLine.parse("--auto-kill-timeout", "60").springArgs())
			.containsExactly("--amqp-tasks.worker.auto-kill-timeout=60s");
	}

	@Test
	void boundsOfMaxRunningTasksAreAccepted() {
		assertThat(WorkerCommandLine.parse("--max-running-tasks=1").springArgs())
			.containsExactly("--amqp-tasks.worker.max-running-tasks=1");
		assertThat(WorkerCommandLine.parse("--max-running-tasks=10000").springArgs())
			.containsExactly("--amqp-tasks.worker.max-running-tasks=10000");
	}

	@Test
	void otherArgumentsPassThroughUnchangedAndInOrderAroundTranslatedOptions() {
		WorkerCommandLine commandLine = WorkerCommandLine.parse("--server.port=0", "--max-running-tasks", "4",
				"--spring.rabbitmq.host=rabbit", "positional", "--auto-kill-timeout=30", "--amqp-tasks.queue=q");
		assertThat(commandLine.helpRequested()).isFalse();
		assertThat(commandLine.springArgs()).containsExactly("--server.port=0",
				"--amqp-tasks.worker.max-running-tasks=4", "--spring.rabbitmq.host=rabbit", "positional",
				"--amqp-tasks.worker.auto-kill-timeout=30s", "--amqp-tasks.queue=q");
	}

	@Test
	void noArgumentsMeanRunWithNoSpringArguments() {
		WorkerCommandLine commandLine = WorkerCommandLine.parse();
		assertThat(commandLine.helpRequested()).isFalse();
		assertThat(commandLine.springArgs()).isEmpty();
	}

	@Test
	void anOptionThatOnlyStartsWithAWorkerOptionNameIsPassedThrough() {
		assertThat(WorkerCommandLine.parse("--max-running-tasks-extra=3").springArgs())
			.containsExactly("--max-running-tasks-extra=3");
	}

	@Test
	void versionIsRecognizedAndRunsNothing() {
		WorkerCommandLine commandLine = WorkerCommandLine.parse("--max-running-tasks=5", "--version");
		assertThat(commandLine.versionRequested()).isTrue();
		assertThat(commandLine.helpRequested()).isFalse();
		assertThat(commandLine.springArgs()).isEmpty();
	}

	@Test
	void theUsageMentionsVersion() {
		assertThat(WorkerCommandLine.usage()).contains("--version");
	}

	@Test
	void longHelpIsRecognized() {
		assertThat(WorkerCommandLine.parse("--help").helpRequested()).isTrue();
	}

	@Test
	void shortHelpIsRecognizedEvenAfterAnInvalidValue() {
		assertThat(WorkerCommandLine.parse("--max-running-tasks=zero", "-h").helpRequested()).isTrue();
	}

	@Test
	void usageListsBothOptionsSpringBootOptionsAndTaskJars() {
		assertThat(WorkerCommandLine.usage()).contains("--max-running-tasks N", "--auto-kill-timeout SECONDS", "--help",
				"--server.port=", "--spring.rabbitmq.host=", "--amqp-tasks.", "-Dloader.path=my-tasks.jar");
	}

	@Test
	void missingValueAtTheEndIsAnErrorNamingTheOption() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--max-running-tasks"))
			.withMessageContaining("--max-running-tasks")
			.withMessageContaining("needs a value");
	}

	@Test
	void missingValueBeforeAnotherOptionIsAnErrorAndDoesNotConsumeThatOption() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--auto-kill-timeout", "--server.port=0"))
			.withMessageContaining("--auto-kill-timeout")
			.withMessageContaining("needs a value");
	}

	@Test
	void emptyValueAfterEqualsSignIsAnInvalidValue() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--max-running-tasks="))
			.withMessage("invalid value '' for --max-running-tasks: expected a whole number from 1 to 10000");
	}

	@Test
	void repeatedOptionIsAnErrorNamingTheOptionAndTheValue() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--max-running-tasks=4", "--max-running-tasks", "5"))
			.withMessage("--max-running-tasks is given more than once (again as '5')");
	}

	@Test
	void repeatedOptionIsAnErrorEvenWithTheSameValue() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--auto-kill-timeout=5", "--auto-kill-timeout=5"))
			.withMessageContaining("--auto-kill-timeout is given more than once");
	}

	@Test
	void wordAsMaxRunningTasksIsAnErrorNamingTheOptionAndTheValue() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--max-running-tasks=zero"))
			.withMessage("invalid value 'zero' for --max-running-tasks: expected a whole number from 1 to 10000");
	}

	@Test
	void maxRunningTasksOutsideOneToTenThousandIsAnError() {
		for (String value : new String[] { "0", "10001", "-1", "99999999999999999999" }) {
			assertThatExceptionOfType(InvalidOptionException.class)
				.isThrownBy(() -> WorkerCommandLine.parse("--max-running-tasks", value))
				.withMessageContaining("'" + value + "'")
				.withMessageContaining("--max-running-tasks");
		}
	}

	@Test
	void fractionalSignedOrSuffixedAutoKillTimeoutIsAnError() {
		for (String value : new String[] { "1.5", "+5", "5s", "1e3", " 5", "0" }) {
			assertThatExceptionOfType(InvalidOptionException.class)
				.isThrownBy(() -> WorkerCommandLine.parse("--auto-kill-timeout=" + value))
				.withMessage("invalid value '" + value + "' for --auto-kill-timeout: "
						+ "expected a whole number of seconds, at least 1");
		}
	}

	@Test
	void errorMessagesFitOnOneLine() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> WorkerCommandLine.parse("--auto-kill-timeout=a\nb"))
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n"));
	}

	@Test
	void springArgsCannotBeModified() {
		WorkerCommandLine commandLine = WorkerCommandLine.parse("--server.port=0");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> commandLine.springArgs().add("--more"));
	}

}
