package dev.amqptasks.amqp;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link DelayLadder}.
 */
@Tag("fast")
class DelayLadderTests {

	private final DelayLadder ladder = new DelayLadder();

	@Test
	void theLadderIsASmallFixedSetOfStepsFourPerDoublingUpToTheBrokersLimit() {
		List<Duration> steps = this.ladder.steps();

		assertThat(steps).hasSize(120);
		assertThat(steps.subList(0, 9)).extracting(Duration::toMillis)
			.containsExactly(4L, 5L, 6L, 7L, 8L, 10L, 12L, 14L, 16L);
		assertThat(this.ladder.top()).isEqualTo(DelayLadder.LONGEST_STEP);
		assertThat(DelayLadder.LONGEST_STEP.toMillis()).isLessThanOrEqualTo(0xFFFF_FFFFL);
	}

	@Test
	void everyDelayEndsNoEarlierThanAskedAndAtMostItsSlackLaterInAFewHopsUpToTheTop() {
		long hourOfSlack = Duration.ofHours(1).toMillis() * 100 / 3;
		Random random = new Random(42);
		for (int i = 0; i < 100_000; i++) {
			long delay = (i < 5_000) ? i + 1
					: (long) Math.exp(random.nextDouble() * Math.log(DelayLadder.LONGEST_STEP.toMillis()));
			Route route = route(this.ladder, delay);

			assertThat(route.lateness()).as("lateness of %d ms", delay).isBetween(0L, DelayLadder.slackFor(delay));
			// Two hops while the slack is 3%; more once it is capped at an hour (above 33
			// h).
			assertThat(route.hops()).as("hops of %d ms", delay).isBetween(1, (delay <= hourOfSlack) ? 2 : 4);
		}
	}

	@Test
	void theSlackIsThreePercentOfTheDelayAtLeastFiveMillisecondsAndAtMostAnHour() {
		assertThat(DelayLadder.slackFor(10)).isEqualTo(5);
		assertThat(DelayLadder.slackFor(10_000)).isEqualTo(300);
		assertThat(DelayLadder.slackFor(Duration.ofDays(30).toMillis())).isEqualTo(Duration.ofHours(1).toMillis());
	}

	@Test
	void sixteenDelaysJustAboveOneSecondShareOneStep() {
		Set<Long> steps = new HashSet<>();
		for (long delay = 1001; delay <= 1016; delay++) {
			steps.add(this.ladder.next(delay, DelayLadder.slackFor(delay)));
		}

		assertThat(steps).containsExactly(1024L);
	}

	@Test
	void aDelayLongerThanTheTopHopsAtTheTopStepUntilLessRemains() {
		long year = Duration.ofDays(366).toMillis();

		Route route = route(this.ladder, year);

		assertThat(this.ladder.next(year, DelayLadder.slackFor(year))).isEqualTo(DelayLadder.LONGEST_STEP.toMillis());
		assertThat(route.lateness()).isBetween(0L, DelayLadder.slackFor(year));
		assertThat(route.hops()).isLessThanOrEqualTo(15);
	}

	@Test
	void aSmallerTopCapsEveryStepAndNamesTheSameSteps() {
		DelayLadder small = new DelayLadder(Duration.ofSeconds(2));

		assertThat(small.top()).isEqualTo(Duration.ofMillis(1792));
		assertThat(this.ladder.steps()).startsWith(small.steps().toArray(Duration[]::new));
		assertThat(small.next(5_000, DelayLadder.slackFor(5_000))).isEqualTo(1792);
		assertThat(small.next(Duration.ofDays(30).toMillis(), 5)).isEqualTo(1792);
		Route route = route(small, 5_000);
		assertThat(route.hops()).isGreaterThan(2);
		assertThat(route.lateness()).isBetween(0L, DelayLadder.slackFor(5_000));
	}

	@Test
	void aDelayThatIsOverNeedsNoHop() {
		assertThat(this.ladder.next(0, 5)).isZero();
		assertThat(this.ladder.next(-20, 5)).isZero();
	}

	@Test
	void aDeferralWaitsTheShortestStepThatIsLongEnoughButNeverLongerThanTheTop() {
		assertThat(this.ladder.atLeast(1)).isEqualTo(4);
		assertThat(this.ladder.atLeast(1024)).isEqualTo(1024);
		assertThat(this.ladder.atLeast(30_000)).isEqualTo(32_768);
		assertThat(new DelayLadder(Duration.ofSeconds(2)).atLeast(30_000)).isEqualTo(1792);
	}

	@Test
	void aTopOutsideTheLadderIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new DelayLadder(Duration.ofMillis(3)));
		assertThatIllegalArgumentException().isThrownBy(() -> new DelayLadder(DelayLadder.LONGEST_STEP.plusMillis(1)));
	}

	/**
	 * Follows a delay hop by hop, each hop decided on the time that remains, as workers
	 * do.
	 */
	private static Route route(DelayLadder ladder, long delay) {
		long slack = DelayLadder.slackFor(delay);
		long remaining = delay;
		int hops = 0;
		for (long step = ladder.next(remaining, slack); step > 0; step = ladder.next(remaining, slack)) {
			remaining -= step;
			hops++;
		}
		return new Route(hops, -remaining);
	}

	private record Route(int hops, long lateness) {
	}

}
