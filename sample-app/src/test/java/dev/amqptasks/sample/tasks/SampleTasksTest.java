package dev.amqptasks.sample.tasks;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import dev.amqptasks.TaskContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SampleTasks}, calling the methods directly as a worker does.
 */
@Tag("fast")
class SampleTasksTest {

	private final SampleTasks tasks = new SampleTasks();

	@Test
	void echoReturnsTheSameJsonValue() {
		JsonNode value = JsonMapper.builder().build().readTree("{\"a\":[1,\"two\",null],\"b\":{\"c\":false}}");
		assertThat(this.tasks.echo(value).join()).isEqualTo(value);
	}

	@Test
	void addOfWholeNumbersIsAWholeNumber() {
		BigDecimal sum = this.tasks.add(1, 2).join();
		assertThat(sum).isEqualTo(new BigDecimal("3"));
		assertThat(sum.scale()).isZero();
	}

	@Test
	void addOfAFractionAndAWholeNumberKeepsTheFraction() {
		assertThat(this.tasks.add(1.5, 2).join()).isEqualTo(new BigDecimal("3.5"));
	}

	@Test
	void addIsExactForDecimalFractions() {
		assertThat(this.tasks.add(0.1, 0.2).join()).isEqualTo(new BigDecimal("0.3"));
	}

	@Test
	void addOfLargeWholeNumbersDoesNotOverflow() {
		BigDecimal sum = this.tasks.add(Long.MAX_VALUE, new BigInteger("1")).join();
		assertThat(sum).isEqualTo(new BigDecimal("9223372036854775808"));
	}

	@Test
	void addRefusesAMissingNumber() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.tasks.add(null, 2)).withMessageContaining("a");
	}

	@Test
	void sleepReturnsItsSeconds() throws InterruptedException {
		assertThat(this.tasks.sleep(0.01).join()).isEqualTo(0.01);
	}

	@Test
	void sleepStopsWhenItsThreadIsInterrupted() {
		AtomicReference<Throwable> outcome = new AtomicReference<>();
		Thread sleeper = new Thread(() -> {
			try {
				this.tasks.sleep(60);
			}
			catch (Throwable ex) {
				outcome.set(ex);
			}
		});
		sleeper.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> sleeper.getState() == Thread.State.TIMED_WAITING);
		sleeper.interrupt();
		await().atMost(Duration.ofSeconds(5)).until(() -> !sleeper.isAlive());
		assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
	}

	@Test
	void sleepRefusesNegativeSeconds() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.tasks.sleep(-1));
	}

	@Test
	void flakyFailsWhileTheAttemptIsAtMostTheFailures() {
		assertThatIllegalStateException().isThrownBy(() -> this.tasks.flaky(1, new StubContext(1)))
			.withMessageContaining("Attempt 1");
	}

	@Test
	void flakyReturnsTheAttemptNumberOnceTheFailuresAreUsedUp() {
		assertThat(this.tasks.flaky(1, new StubContext(2)).join()).isEqualTo(2);
	}

	@Test
	void flakyWithNoFailuresSucceedsOnTheFirstAttempt() {
		assertThat(this.tasks.flaky(0, new StubContext(1)).join()).isEqualTo(1);
	}

	@Test
	void flakyOutsideAWorkerAndWithoutAContextSaysWhy() {
		assertThatIllegalStateException().isThrownBy(() -> this.tasks.flaky(1, null))
			.withMessageContaining("TaskContext");
	}

	@Test
	void failThrowsWithTheGivenMessage() {
		assertThatIllegalStateException().isThrownBy(() -> this.tasks.fail("boom")).withMessage("boom");
	}

	@Test
	void spinKeepsRunningWhenInterruptedAndReturnsItsSeconds() {
		Thread.currentThread().interrupt();
		try {
			long started = System.nanoTime();
			CompletableFuture<Double> result = this.tasks.spin(0.2);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
			assertThat(result.join()).isEqualTo(0.2);
			// Spinning ignores the interrupt; it must not swallow it either.
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void progressLogsEachStepAndReportsTheFractionDone() throws InterruptedException {
		StubContext context = new StubContext(1);
		assertThat(this.tasks.progress(3, context).join()).isEqualTo(3);
		assertThat(context.messages).containsExactly("step 1", "step 2", "step 3");
		assertThat(context.fractions).containsExactly(1 / 3.0, 2 / 3.0, 1.0);
	}

	@Test
	void progressStopsWhenItsThreadIsInterrupted() {
		StubContext context = new StubContext(1);
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(InterruptedException.class).isThrownBy(() -> this.tasks.progress(5, context));
		assertThat(context.messages).containsExactly("step 1");
	}

	/**
	 * A task context that records what the task reports.
	 */
	private static final class StubContext implements TaskContext {

		private final int attempt;

		private final List<String> messages = new ArrayList<>();

		private final List<Double> fractions = new ArrayList<>();

		StubContext(int attempt) {
			this.attempt = attempt;
		}

		@Override
		public String id() {
			return "test-task";
		}

		@Override
		public String name() {
			return "sample.test";
		}

		@Override
		public int attempt() {
			return this.attempt;
		}

		@Override
		public boolean isCanceled() {
			return false;
		}

		@Override
		public void log(String message) {
			this.messages.add(message);
		}

		@Override
		public void progress(double fraction) {
			this.fractions.add(fraction);
		}

	}

}
