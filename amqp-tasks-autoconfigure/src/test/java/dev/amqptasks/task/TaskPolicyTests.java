package dev.amqptasks.task;

import java.time.Duration;
import java.util.List;

import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.NonRetryableTaskException;
import dev.amqptasks.task.TaskPolicy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link TaskPolicy}, with no broker.
 */
@Tag("fast")
class TaskPolicyTests {

	@Test
	void aFailedAttemptIsRetriedWhileRetriesAreLeft() {
		TaskPolicy policy = aPolicy(2);

		assertThat(policy.retries(1, new IllegalStateException())).isTrue();
		assertThat(policy.retries(2, new IllegalStateException())).isTrue();
		assertThat(policy.retries(3, new IllegalStateException())).isFalse();
	}

	@Test
	void noRetryLimitRetriesForever() {
		assertThat(aPolicy(-1).retries(1_000, new IllegalStateException())).isTrue();
		assertThat(aPolicy(-1).allowsAttempt(1_000)).isTrue();
	}

	@Test
	void aNonRetryableFailureIsNeverRetried() {
		assertThat(aPolicy(5).retries(1, new NonRetryableTaskException("no"))).isFalse();
	}

	@Test
	void invalidArgumentsAreNeverRetried() {
		assertThat(aPolicy(5).retries(1, new InvalidTaskArgumentsException("bad"))).isFalse();
	}

	@Test
	void aFailureListedAsNoRetryForIsNeverRetriedAndNeitherAreItsSubtypes() {
		TaskPolicy policy = new TaskPolicy(5, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 0, null,
				List.of(IllegalArgumentException.class));

		assertThat(policy.retries(1, new IllegalArgumentException())).isFalse();
		assertThat(policy.retries(1, new NumberFormatException())).isFalse();
		assertThat(policy.retries(1, new IllegalStateException())).isTrue();
	}

	@Test
	void anAttemptMayStartWhileItIsWithinTheFirstPlusTheRetries() {
		TaskPolicy policy = aPolicy(2);

		assertThat(policy.allowsAttempt(3)).isTrue();
		assertThat(policy.allowsAttempt(4)).isFalse();
	}

	@Test
	void aFixedDelayIsTheSameAfterEveryAttempt() {
		TaskPolicy policy = new TaskPolicy(5, Duration.ofMillis(300), 1, Duration.ofSeconds(10), 0, null, List.of());

		assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofMillis(300));
		assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofMillis(300));
	}

	@Test
	void theDelayGrowsByTheMultiplierUpToTheLongestDelay() {
		TaskPolicy policy = new TaskPolicy(10, Duration.ofSeconds(1), 2, Duration.ofSeconds(5), 0, null, List.of());

		assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
		assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
		assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
		assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void jitterKeepsTheDelayWithinItsFraction() {
		TaskPolicy policy = new TaskPolicy(10, Duration.ofSeconds(10), 1, Duration.ofSeconds(10), 0.1, null, List.of());

		for (int i = 0; i < 200; i++) {
			assertThat(policy.delayAfter(1)).isBetween(Duration.ofMillis(9_000), Duration.ofMillis(11_000));
		}
	}

	private static TaskPolicy aPolicy(int maxRetries) {
		return new TaskPolicy(maxRetries, Duration.ofSeconds(1), 2, Duration.ofMinutes(1), 0, null, List.of());
	}

}
