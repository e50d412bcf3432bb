package dev.amqptasks.spi;

import java.util.EnumSet;
import java.util.Set;

import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.amqptasks.TaskStatus.CANCELED;
import static dev.amqptasks.TaskStatus.ERRORED;
import static dev.amqptasks.TaskStatus.FINISHED;
import static dev.amqptasks.TaskStatus.RETRYING;
import static dev.amqptasks.TaskStatus.RUNNING;
import static dev.amqptasks.TaskStatus.SCHEDULED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per source state: the states it may move to, and the ones it may not.
 */
@Tag("fast")
class TaskTransitionsTests {

	@Test
	void aScheduledTaskMayStartBeCanceledOrFailButNotFinishRetryOrBeScheduledAgain() {
		assertTargets(SCHEDULED, EnumSet.of(RUNNING, CANCELED, ERRORED), EnumSet.of(SCHEDULED, RETRYING, FINISHED));
	}

	@Test
	void aRunningTaskMayMoveToAnyStateIncludingANewAttemptAndARequeue() {
		assertTargets(RUNNING, EnumSet.of(RUNNING, RETRYING, FINISHED, ERRORED, CANCELED, SCHEDULED),
				EnumSet.noneOf(TaskStatus.class));
	}

	@Test
	void aRetryingTaskMayStartBeCanceledOrFailButNotFinishOrBeScheduled() {
		assertTargets(RETRYING, EnumSet.of(RUNNING, CANCELED, ERRORED), EnumSet.of(SCHEDULED, RETRYING, FINISHED));
	}

	@Test
	void aFinishedTaskIsADeadEnd() {
		assertTargets(FINISHED, EnumSet.noneOf(TaskStatus.class),
				EnumSet.of(SCHEDULED, RUNNING, RETRYING, FINISHED, ERRORED, CANCELED));
	}

	@Test
	void anErroredTaskMayOnlyBeReplayed() {
		assertTargets(ERRORED, EnumSet.of(SCHEDULED), EnumSet.of(RUNNING, RETRYING, FINISHED, ERRORED, CANCELED));
	}

	@Test
	void aCanceledTaskMayOnlyBeReplayed() {
		assertTargets(CANCELED, EnumSet.of(SCHEDULED), EnumSet.of(RUNNING, RETRYING, FINISHED, ERRORED, CANCELED));
	}

	@Test
	void sourcesOfAStateAreTheStatesAllowedToMoveToIt() {
		for (TaskStatus to : TaskStatus.values()) {
			Set<TaskStatus> expected = EnumSet.noneOf(TaskStatus.class);
			for (TaskStatus from : TaskStatus.values()) {
				if (TaskTransitions.isAllowed(from, to)) {
					expected.add(from);
				}
			}
			assertThat(TaskTransitions.sourcesOf(to)).as("sources of %s", to).isEqualTo(expected);
		}
	}

	@Test
	void theNamedSetsOfEachOperationFollowFromTheTable() {
		assertThat(TaskTransitions.CANCELED_AT_ONCE).containsExactlyInAnyOrder(SCHEDULED, RETRYING);
		assertThat(TaskTransitions.CANCEL_FLAGGED).containsExactly(RUNNING);
		assertThat(TaskTransitions.STOPPED_BY_WORKER).containsExactly(RUNNING);
		assertThat(TaskTransitions.REQUEUED_FROM).containsExactly(RUNNING);
		assertThat(TaskTransitions.REPLAYED_FROM).containsExactlyInAnyOrder(ERRORED, CANCELED);
	}

	private static void assertTargets(TaskStatus from, Set<TaskStatus> allowed, Set<TaskStatus> refused) {
		Set<TaskStatus> all = EnumSet.copyOf(allowed);
		all.addAll(refused);
		assertThat(all).as("every target of %s is listed", from).containsExactlyInAnyOrder(TaskStatus.values());
		allowed.forEach((to) -> assertThat(TaskTransitions.isAllowed(from, to)).as("%s -> %s", from, to).isTrue());
		refused.forEach((to) -> assertThat(TaskTransitions.isAllowed(from, to)).as("%s -> %s", from, to).isFalse());
	}

}
