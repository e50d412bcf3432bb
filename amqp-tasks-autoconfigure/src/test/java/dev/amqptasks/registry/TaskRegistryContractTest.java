package dev.amqptasks.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskCursor;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskRegistry.ChangeOutcome;
import dev.amqptasks.spi.TaskRegistry.Creation;
import dev.amqptasks.spi.TaskRegistry.Decision;
import dev.amqptasks.spi.TaskRegistry.StartOutcome;
import dev.amqptasks.spi.TaskRegistry.StartRequest;
import dev.amqptasks.spi.TaskRegistry.TaskResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link TaskRegistry} does, run against each implementation.
 */
abstract class TaskRegistryContractTest {

	/** The time to live of the registries under test. */
	protected static final Duration TTL = Duration.ofHours(1);

	/** How long the attempts that tests start are held without a renewal. */
	protected static final Duration LEASE = Duration.ofSeconds(30);

	protected static final Duration WAIT = Duration.ofSeconds(10);

	protected final JsonMapper json = JsonMapper.builder().build();

	protected final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

	protected TaskRegistry registry;

	/**
	 * Creates the registry under test, with {@link #TTL} as its time to live.
	 * @param clock the clock it must use
	 * @return the registry
	 */
	protected abstract TaskRegistry createRegistry(Clock clock);

	@BeforeEach
	void createRegistry() {
		this.registry = createRegistry(this.clock);
	}

	@Test
	void creatingATaskStoresItAsScheduled() {
		NewTask task = new NewTask(uniqueId(), "sample.add", "[1,2]", "{\"c\":3}", 4);
		Creation creation = this.registry.create(task);
		assertThat(creation.created()).isTrue();
		TaskInfo stored = this.registry.find(task.id()).orElseThrow();
		assertThat(stored).isEqualTo(creation.task());
		assertThat(stored.id()).isEqualTo(task.id());
		assertThat(stored.name()).isEqualTo("sample.add");
		assertThat(stored.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(stored.args()).isEqualTo(this.json.readTree("[1,2]"));
		assertThat(stored.kwargs()).isEqualTo(this.json.readTree("{\"c\":3}"));
		assertThat(stored.attempts()).isZero();
		assertThat(stored.maxRetries()).isEqualTo(4);
		assertThat(stored.createdAt()).isEqualTo(this.clock.instant());
		assertThat(stored.updatedAt()).isEqualTo(this.clock.instant());
		assertThat(stored.result()).isNull();
		assertThat(stored.error()).isNull();
		assertThat(stored.startedAt()).isNull();
		assertThat(stored.finishedAt()).isNull();
		assertThat(stored.worker()).isNull();
		assertThat(stored.progress()).isNull();
		assertThat(stored.eventlog()).isEmpty();
	}

	@Test
	void creatingAnIdThatExistsReturnsTheStoredTaskUnchanged() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(1));
		Creation again = this.registry.create(new NewTask(id, "sample.echo", "[\"other\"]", "{}", 0));
		assertThat(again.created()).isFalse();
		assertThat(again.task().status()).isEqualTo(TaskStatus.RUNNING);
		assertThat(again.task().args()).isEqualTo(this.json.readTree("[1]"));
		assertThat(again.task().updatedAt()).isBefore(this.clock.instant());
	}

	@Test
	void creatingManyTasksCreatesEachUnlessItsIdExistsAndAnswersInOrder() {
		String existing = aRunningTask();
		List<NewTask> tasks = new ArrayList<>();
		for (int i = 0; i < 250; i++) {
			tasks.add(new NewTask(uniqueId(), "sample.add", "[" + i + "]", "{}", 2));
		}
		tasks.add(120, new NewTask(existing, "sample.echo", "[\"other\"]", "{}", 0));
		tasks.add(new NewTask(tasks.get(0).id(), "sample.echo", "[\"again\"]", "{}", 0));
		List<Creation> creations = this.registry.createAll(tasks);
		assertThat(creations).hasSize(tasks.size());
		for (int i = 0; i < tasks.size(); i++) {
			Creation creation = creations.get(i);
			NewTask task = tasks.get(i);
			assertThat(creation.task().id()).isEqualTo(task.id());
			boolean repeated = i == 120 || i == tasks.size() - 1;
			assertThat(creation.created()).as("created task %d", i).isEqualTo(!repeated);
			if (!repeated) {
				assertThat(creation.task()).isEqualTo(this.registry.find(task.id()).orElseThrow());
				assertThat(creation.task().args()).isEqualTo(this.json.readTree(task.argsJson()));
			}
		}
		assertThat(creations.get(120).task().status()).isEqualTo(TaskStatus.RUNNING);
		assertThat(creations.get(tasks.size() - 1).task().args()).isEqualTo(this.json.readTree("[0]"));
	}

	@Test
	void creatingATaskWhoseArgumentsAreNotJsonIsRefused() {
		String id = uniqueId();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.registry.create(new NewTask(id, "sample.echo", "[1", "{}", 0)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.registry.create(new NewTask(id, "sample.echo", "[]", "", 0)));
		assertThat(this.registry.find(id)).isEmpty();
	}

	@Test
	void findingAnUnknownTaskFindsNothing() {
		assertThat(this.registry.find(uniqueId())).isEmpty();
	}

	@Test
	void startingAScheduledTaskRunsItsFirstAttempt() {
		String id = aScheduledTask();
		this.clock.advance(Duration.ofSeconds(2));
		StartOutcome outcome = start(aTask(id), "worker-1");
		assertThat(outcome).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
		assertThat(outcome.run()).isTrue();
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
		assertThat(task.attempts()).isEqualTo(1);
		assertThat(task.worker()).isEqualTo("worker-1");
		assertThat(task.startedAt()).isEqualTo(this.clock.instant());
		assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
		assertThat(task.createdAt()).isBefore(this.clock.instant());
	}

	@Test
	void startingARunningTaskWhoseLeaseExpiredStartsAnotherAttempt() {
		String id = aRunningTask();
		this.registry.progress(id, tokenOf(id), 0.5);
		this.clock.advance(LEASE);
		StartOutcome outcome = start(aTask(id), "worker-2");
		assertThat(outcome).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
		TaskInfo task = find(id);
		assertThat(task.attempts()).isEqualTo(2);
		assertThat(task.worker()).isEqualTo("worker-2");
		assertThat(task.startedAt()).isEqualTo(this.clock.instant());
		assertThat(task.progress()).isNull();
	}

	@Test
	void startingARunningTaskUnderALiveLeaseDefersItAndChangesNothing() {
		String id = aRunningTask();
		this.registry.progress(id, tokenOf(id), 0.5);
		TaskInfo running = find(id);
		this.clock.advance(LEASE.minusMillis(1));
		StartOutcome outcome = start(aTask(id), "worker-2");
		// Deferred for what the lease has left, no longer.
		assertThat(outcome).isEqualTo(new StartOutcome(Decision.DEFER, TaskStatus.RUNNING, 1, Duration.ofMillis(1)));
		assertThat(outcome.run()).isFalse();
		assertThat(find(id)).isEqualTo(running);
	}

	@Test
	void startingManyTasksDecidesForEachAsStartingThemOneByOne() {
		String scheduled = aScheduledTask();
		String held = aRunningTask();
		String finished = aFinishedTask("1");
		String lost = uniqueId();
		this.clock.advance(Duration.ofSeconds(1));
		List<StartOutcome> outcomes = startAll(
				List.of(aTask(scheduled), aTask(held), aTask(finished), aTask(lost, 2, 0)), "worker-2");
		assertThat(outcomes).containsExactly(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1),
				new StartOutcome(Decision.DEFER, TaskStatus.RUNNING, 1, LEASE.minusSeconds(1)),
				new StartOutcome(Decision.SKIP, TaskStatus.FINISHED, 1),
				new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 3));
		assertThat(find(scheduled).worker()).isEqualTo("worker-2");
		assertThat(find(held).worker()).isEqualTo("worker-1");
		assertThat(find(lost).status()).isEqualTo(TaskStatus.RUNNING);
	}

	@Test
	void theNewAttemptHoldsANewLease() {
		String id = aRunningTask();
		this.clock.advance(LEASE);
		start(aTask(id), "worker-2");
		this.clock.advance(LEASE.minusMillis(1));
		assertThat(start(aTask(id), "worker-3"))
			.isEqualTo(new StartOutcome(Decision.DEFER, TaskStatus.RUNNING, 2, Duration.ofMillis(1)));
		this.clock.advance(Duration.ofMillis(1));
		assertThat(start(aTask(id), "worker-3")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 3));
	}

	@Test
	void startingAFinishedTaskDoesNotRunItAgain() {
		String id = aFinishedTask("42");
		this.clock.advance(Duration.ofSeconds(2));
		StartOutcome outcome = start(aTask(id), "worker-2");
		assertThat(outcome).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.FINISHED, 1));
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.worker()).isEqualTo("worker-1");
		assertThat(task.result()).isEqualTo(this.json.readTree("42"));
	}

	@Test
	void startingAnErroredTaskDoesNotRunIt() {
		String id = aRunningTask();
		this.registry.fail(id, tokenOf(id), new TaskError("java.lang.IllegalStateException", "boom"));
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.ERRORED, 1));
	}

	@Test
	void startingATaskCanceledWhileQueuedDoesNotRunIt() {
		String id = aScheduledTask();
		this.registry.requestCancel(id);
		assertThat(start(aTask(id), "worker-1")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.CANCELED, 0));
		assertThat(find(id).status()).isEqualTo(TaskStatus.CANCELED);
	}

	@Test
	void startingATaskTheRegistryLostStoresItAgainAsRunning() {
		NewTask task = new NewTask(uniqueId(), "sample.add", "[1,2]", "{}", 3);
		assertThat(start(task, "worker-1")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
		TaskInfo stored = find(task.id());
		assertThat(stored.status()).isEqualTo(TaskStatus.RUNNING);
		assertThat(stored.name()).isEqualTo("sample.add");
		assertThat(stored.args()).isEqualTo(this.json.readTree("[1,2]"));
		assertThat(stored.maxRetries()).isEqualTo(3);
		assertThat(stored.attempts()).isEqualTo(1);
		assertThat(stored.worker()).isEqualTo("worker-1");
		assertThat(stored.createdAt()).isEqualTo(this.clock.instant());
		assertThat(stored.startedAt()).isEqualTo(this.clock.instant());
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.RUNNING), null, 10, null))).contains(task.id());
	}

	@Test
	void aLostTaskStoredAgainGoesOnFromTheMessagesAttemptsAndReplay() {
		NewTask task = new NewTask(uniqueId(), "sample.add", "[1,2]", "{}", 3, 2, 1, null, null);
		assertThat(start(task, "worker-1")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 3));
		assertThat(find(task.id()).attempts()).isEqualTo(3);
		// The stored task holds the attempt under a lease...
		assertThat(start(task, "worker-2")).isEqualTo(new StartOutcome(Decision.DEFER, TaskStatus.RUNNING, 3, LEASE));
		// ...and knows the message's run: a message of an earlier run is stale.
		this.clock.advance(LEASE);
		assertThat(start(aTask(task.id()), "worker-2"))
			.isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.RUNNING, 3));
	}

	@Test
	void aMessageOfARunBeforeTheLastReplayIsSkipped() {
		String id = anErroredTask();
		this.registry.replay(id, uniqueId());
		TaskInfo replayed = find(id);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.SCHEDULED, 0));
		assertThat(find(id)).isEqualTo(replayed);
	}

	@Test
	void startingATaskWhoseCancellationWasRequestedCancelsItInsteadOfRunningIt() {
		String id = aRunningTask();
		this.registry.requestCancel(id);
		CompletableFuture<TaskInfo> canceled = this.registry.whenFinal(id);
		// Its worker died: the lease expired.
		this.clock.advance(LEASE.plusSeconds(1));
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.CANCELED, 1));
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.finishedAt()).isEqualTo(this.clock.instant());
		assertThat(canceled).succeedsWithin(WAIT).extracting(TaskInfo::status).isEqualTo(TaskStatus.CANCELED);
	}

	@Test
	void aLiveLeaseDefersARedeliveryEvenWhenCancellationWasRequested() {
		String id = aRunningTask();
		this.registry.requestCancel(id);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(start(aTask(id), "worker-2"))
			.isEqualTo(new StartOutcome(Decision.DEFER, TaskStatus.RUNNING, 1, LEASE.minusSeconds(1)));
		assertThat(find(id).status()).isEqualTo(TaskStatus.RUNNING);
	}

	@Test
	void renewingLeasesExtendsOnlyTheAttemptsThisWorkerRuns() {
		String renewed = aRunningTask();
		String notListed = aRunningTask();
		String otherWorkers = aScheduledTask();
		start(aTask(otherWorkers), "worker-2");
		String scheduled = aScheduledTask();
		String finished = aFinishedTask("1");
		TaskInfo finishedBefore = find(finished);
		TaskInfo scheduledBefore = find(scheduled);
		this.clock.advance(LEASE.dividedBy(2));
		String unknown = uniqueId();
		// Only the attempts that still hold their task are renewed: the others are lost.
		assertThat(this.registry.renewLeases(Map.of(renewed, tokenOf(renewed), otherWorkers, "worker-1/stale",
				scheduled, "worker-1/none", finished, tokenOf(finished), unknown, "worker-1/unknown"), LEASE))
			.containsExactlyInAnyOrder(otherWorkers, scheduled, finished, unknown);
		assertThat(find(renewed).updatedAt()).isEqualTo(this.clock.instant());
		assertThat(find(scheduled)).isEqualTo(scheduledBefore);
		assertThat(find(finished)).isEqualTo(finishedBefore);
		// Past the first leases, not past the renewed one.
		this.clock.advance(LEASE.dividedBy(2));
		assertThat(start(aTask(renewed), "worker-3"))
			.isEqualTo(new StartOutcome(Decision.DEFER, TaskStatus.RUNNING, 1, LEASE.dividedBy(2)));
		assertThat(start(aTask(notListed), "worker-3"))
			.isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
		assertThat(start(aTask(otherWorkers), "worker-3"))
			.isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
		this.clock.advance(LEASE.dividedBy(2));
		assertThat(start(aTask(renewed), "worker-3")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
	}

	@Test
	void renewingNoLeasesDoesNothing() {
		assertThat(this.registry.renewLeases(Map.of(), LEASE)).isEmpty();
		assertThat(this.registry.list(TaskQuery.all()).items()).isEmpty();
	}

	@Test
	void retryingARunningTaskStoresTheErrorAndItsNextStartRunsAgain() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(1));
		this.registry.retry(id, tokenOf(id), new TaskError("java.io.IOException", "reset"), Duration.ZERO);
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.RETRYING);
		assertThat(task.error()).isEqualTo(new TaskError("java.io.IOException", "reset"));
		assertThat(task.finishedAt()).isNull();
		assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.RETRYING), null, 10, null))).containsExactly(id);
		// The failed attempt let its lease go: the retry runs at once.
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
		assertThat(find(id).worker()).isEqualTo("worker-2");
	}

	@Test
	void retryingATaskThatIsNotRunningIsRefused() {
		String id = aScheduledTask();
		assertThatAttemptLost(() -> this.registry.retry(id, tokenOf(id), new TaskError("x", "y"), Duration.ZERO),
				TaskStatus.SCHEDULED);
		String finished = aFinishedTask("1");
		assertThatAttemptLost(
				() -> this.registry.retry(finished, tokenOf(finished), new TaskError("x", "y"), Duration.ZERO),
				TaskStatus.FINISHED);
		assertThat(find(finished).error()).isNull();
	}

	@Test
	void requeuingARunningTaskSchedulesItAgainForAnyWorker() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(1));
		this.registry.requeue(id, tokenOf(id));
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(task.attempts()).isEqualTo(1);
		assertThat(task.worker()).isEqualTo("worker-1");
		assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 10, null))).containsExactly(id);
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
	}

	@Test
	void requeuingATaskThatIsNotRunningIsRefused() {
		String id = aScheduledTask();
		assertThatAttemptLost(() -> this.registry.requeue(id, tokenOf(id)), TaskStatus.SCHEDULED);
		String errored = anErroredTask();
		assertThatAttemptLost(() -> this.registry.requeue(errored, tokenOf(errored)), TaskStatus.ERRORED);
		assertThat(find(errored).status()).isEqualTo(TaskStatus.ERRORED);
	}

	@Test
	void replayingAnErroredTaskSchedulesANewRun() {
		String id = aRunningTask();
		this.registry.log(id, tokenOf(id), "step 1");
		this.registry.progress(id, tokenOf(id), 0.5);
		this.registry.fail(id, tokenOf(id), new TaskError("x", "y"));
		Instant created = find(id).createdAt();
		this.clock.advance(Duration.ofSeconds(1));
		TaskInfo replayed = this.registry.replay(id, uniqueId());
		assertThat(replayed).isEqualTo(find(id));
		assertThat(replayed.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(replayed.attempts()).isZero();
		assertThat(replayed.maxRetries()).isEqualTo(5);
		assertThat(replayed.args()).isEqualTo(this.json.readTree("[1]"));
		assertThat(replayed.result()).isNull();
		assertThat(replayed.error()).isNull();
		assertThat(replayed.startedAt()).isNull();
		assertThat(replayed.finishedAt()).isNull();
		assertThat(replayed.worker()).isNull();
		assertThat(replayed.progress()).isNull();
		assertThat(replayed.createdAt()).isEqualTo(created);
		assertThat(replayed.updatedAt()).isEqualTo(this.clock.instant());
		assertThat(replayed.eventlog()).extracting(TaskEvent::at, TaskEvent::message)
			.containsExactly(tuple(created, "step 1"), tuple(this.clock.instant(), "Replayed (replay 1)"));
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.ERRORED), null, 10, null))).isEmpty();
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 10, null))).containsExactly(id);
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.SCHEDULED, 0));
		assertThat(start(aTask(id, 0, 1), "worker-2")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
		this.registry.finish(id, tokenOf(id), "2");
		assertThat(find(id).result()).isEqualTo(this.json.readTree("2"));
	}

	@Test
	void replayingACanceledTaskClearsItsCancellationRequest() {
		String id = aRunningTask();
		this.registry.requestCancel(id);
		this.registry.markCanceled(id, tokenOf(id));
		TaskInfo replayed = this.registry.replay(id, uniqueId());
		assertThat(replayed.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(replayed.attempts()).isZero();
		assertThat(replayed.finishedAt()).isNull();
		assertThat(this.registry.cancelRequested(List.of(id))).isEmpty();
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.SCHEDULED, 0));
		assertThat(start(aTask(id, 0, 1), "worker-2")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
	}

	@Test
	void replayingATaskCanceledWhileQueuedSchedulesIt() {
		String id = aScheduledTask();
		this.registry.requestCancel(id);
		assertThat(this.registry.replay(id, uniqueId()).status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(start(aTask(id, 0, 1), "worker-1")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
	}

	@Test
	void eachReplayMakesTheMessagesOfEarlierRunsStale() {
		String id = anErroredTask();
		this.registry.replay(id, uniqueId());
		start(aTask(id, 0, 1), "worker-1");
		this.registry.fail(id, tokenOf(id), new TaskError("x", "y"));
		TaskInfo replayed = this.registry.replay(id, uniqueId());
		assertThat(replayed.eventlog()).extracting(TaskEvent::message)
			.containsExactly("Replayed (replay 1)", "Replayed (replay 2)");
		assertThat(start(aTask(id, 1, 1), "worker-1"))
			.isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.SCHEDULED, 0));
		assertThat(start(aTask(id, 0, 2), "worker-1")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
	}

	@Test
	void replayingATaskThatDidNotFailOrWasNotCanceledIsRefused() {
		String finished = aFinishedTask("1");
		assertThatIllegalStateChange(() -> this.registry.replay(finished, uniqueId()), TaskStatus.FINISHED,
				TaskStatus.SCHEDULED);
		assertThat(find(finished).result()).isEqualTo(this.json.readTree("1"));
		String running = aRunningTask();
		assertThatIllegalStateChange(() -> this.registry.replay(running, uniqueId()), TaskStatus.RUNNING,
				TaskStatus.SCHEDULED);
		assertThat(find(running).status()).isEqualTo(TaskStatus.RUNNING);
		String scheduled = aScheduledTask();
		assertThatIllegalStateChange(() -> this.registry.replay(scheduled, uniqueId()), TaskStatus.SCHEDULED,
				TaskStatus.SCHEDULED);
		String retrying = aRunningTask();
		this.registry.retry(retrying, tokenOf(retrying), new TaskError("x", "y"), Duration.ZERO);
		assertThatIllegalStateChange(() -> this.registry.replay(retrying, uniqueId()), TaskStatus.RETRYING,
				TaskStatus.SCHEDULED);
		assertThat(find(retrying).eventlog()).isEmpty();
	}

	@Test
	void finishingARunningTaskStoresItsResult() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(3));
		this.registry.finish(id, tokenOf(id), "{\"sum\":3}");
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.result()).isEqualTo(this.json.readTree("{\"sum\":3}"));
		assertThat(task.finishedAt()).isEqualTo(this.clock.instant());
		assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
		assertThat(task.error()).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "\"\"", "[]", "{}", "false", "null" })
	void resultsThatLookEmptyAreStoredAsTheyAre(String result) {
		String id = aFinishedTask(result);
		TaskInfo task = find(id);
		assertThat(task.result()).isEqualTo(this.json.readTree(result));
		assertThat(this.json.writeValueAsString(task.result())).isEqualTo(result);
	}

	@Test
	void aZeroResultReadsBackAsTheNumberZero() {
		JsonNode result = find(aFinishedTask("0")).result();
		assertThat(result.isInt()).isTrue();
		assertThat(result.intValue()).isZero();
	}

	@Test
	void startingAndFinishingMoreTasksThanOneBatchKeepsEachOutcomeWithItsTask() {
		List<NewTask> tasks = new ArrayList<>();
		for (int i = 0; i < 250; i++) {
			tasks.add(aTask((i % 50 == 7) ? aFinishedTask("0") : aScheduledTask()));
		}
		List<StartOutcome> started = startAll(tasks, "worker-2");
		List<TaskResult> results = new ArrayList<>();
		for (int i = 0; i < tasks.size(); i++) {
			boolean done = i % 50 == 7;
			assertThat(started.get(i).decision()).as("task %d", i).isEqualTo(done ? Decision.SKIP : Decision.RUN);
			results.add(new TaskResult(tasks.get(i).id(), tokenOf(tasks.get(i).id()), Integer.toString(i)));
		}
		List<ChangeOutcome> finished = this.registry.finishAll(results);
		for (int i = 0; i < tasks.size(); i++) {
			boolean done = i % 50 == 7;
			assertThat(finished.get(i).refusal() != null).as("task %d refused", i).isEqualTo(done);
			assertThat(find(tasks.get(i).id()).result())
				.isEqualTo(this.json.readTree(done ? "0" : Integer.toString(i)));
		}
	}

	@Test
	void finishingManyTasksStoresEachResultAndRefusesOnlyTheChangesNotAllowed() {
		String first = aRunningTask();
		String done = aFinishedTask("1");
		String second = aRunningTask();
		String unknown = uniqueId();
		List<ChangeOutcome> outcomes = this.registry.finishAll(List.of(new TaskResult(first, tokenOf(first), "[1]"),
				new TaskResult(done, tokenOf(done), "2"), new TaskResult(second, tokenOf(second), "{\"b\":2}"),
				new TaskResult(unknown, tokenOf(unknown), "3")));
		assertThat(outcomes).hasSize(4);
		assertThat(outcomes.get(0)).isEqualTo(ChangeOutcome.STORED);
		assertThatAttemptLost(outcomes.get(1)::orThrow, TaskStatus.FINISHED);
		assertThat(outcomes.get(2)).isEqualTo(ChangeOutcome.STORED);
		assertThatTaskNotFound(outcomes.get(3)::orThrow, unknown);
		assertThat(find(first).result()).isEqualTo(this.json.readTree("[1]"));
		assertThat(find(first).status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(find(done).result()).isEqualTo(this.json.readTree("1"));
		assertThat(find(second).result()).isEqualTo(this.json.readTree("{\"b\":2}"));
	}

	@Test
	void finishingATaskThatIsNotRunningIsRefused() {
		String id = aScheduledTask();
		assertThatExceptionOfType(AttemptLostException.class)
			.isThrownBy(() -> this.registry.finish(id, tokenOf(id), "1"))
			.satisfies((ex) -> assertThat(ex.getId()).isEqualTo(id))
			.satisfies((ex) -> assertThat(ex.getStatus()).isEqualTo(TaskStatus.SCHEDULED));
		assertThat(find(id).status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(find(id).result()).isNull();
	}

	@Test
	void finishingAFinishedTaskAgainIsRefused() {
		String id = aFinishedTask("1");
		assertThatAttemptLost(() -> this.registry.finish(id, tokenOf(id), "2"), TaskStatus.FINISHED);
		assertThat(find(id).result()).isEqualTo(this.json.readTree("1"));
	}

	@Test
	void finishingWithAResultThatIsNotJsonIsRefused() {
		String id = aRunningTask();
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.finish(id, tokenOf(id), "{oops"));
		assertThat(find(id).status()).isEqualTo(TaskStatus.RUNNING);
	}

	@Test
	void changingAnUnknownTaskThrowsTaskNotFound() {
		String id = uniqueId();
		assertThatTaskNotFound(() -> this.registry.finish(id, tokenOf(id), "1"), id);
		assertThatTaskNotFound(() -> this.registry.fail(id, tokenOf(id), new TaskError("x", "y")), id);
		assertThatTaskNotFound(() -> this.registry.markCanceled(id, tokenOf(id)), id);
		assertThatTaskNotFound(() -> this.registry.retry(id, tokenOf(id), new TaskError("x", "y"), Duration.ZERO), id);
		assertThatTaskNotFound(() -> this.registry.requeue(id, tokenOf(id)), id);
		assertThatTaskNotFound(() -> this.registry.replay(id, uniqueId()), id);
		assertThatTaskNotFound(() -> this.registry.requestCancel(id), id);
		assertThatTaskNotFound(() -> this.registry.log(id, tokenOf(id), "hello"), id);
		assertThatTaskNotFound(() -> this.registry.progress(id, tokenOf(id), 0.5), id);
		assertThat(this.registry.find(id)).isEmpty();
	}

	@Test
	void failingARunningTaskStoresTheError() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(3));
		this.registry.fail(id, tokenOf(id), new TaskError("java.lang.ArithmeticException", "/ by zero"));
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.error()).isEqualTo(new TaskError("java.lang.ArithmeticException", "/ by zero"));
		assertThat(task.finishedAt()).isEqualTo(this.clock.instant());
		assertThat(task.result()).isNull();
	}

	@Test
	void failingAScheduledTaskIsAllowed() {
		String id = aScheduledTask();
		this.registry.fail(id, null, new TaskError("dev.amqptasks.UnknownTaskException", null));
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.error()).isEqualTo(new TaskError("dev.amqptasks.UnknownTaskException", null));
	}

	@Test
	void failingAFinishedTaskIsRefused() {
		String id = aFinishedTask("1");
		assertThatAttemptLost(() -> this.registry.fail(id, tokenOf(id), new TaskError("x", "y")), TaskStatus.FINISHED);
		assertThatIllegalStateChange(() -> this.registry.fail(id, null, new TaskError("x", "y")), TaskStatus.FINISHED,
				TaskStatus.ERRORED);
		assertThat(find(id).error()).isNull();
	}

	@Test
	void markingARunningTaskCanceledCancelsIt() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(1));
		this.registry.markCanceled(id, tokenOf(id));
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.finishedAt()).isEqualTo(this.clock.instant());
	}

	@Test
	void markingAScheduledTaskCanceledIsRefused() {
		String id = aScheduledTask();
		assertThatAttemptLost(() -> this.registry.markCanceled(id, tokenOf(id)), TaskStatus.SCHEDULED);
	}

	@Test
	void cancelingAScheduledTaskCancelsItAtOnce() {
		String id = aScheduledTask();
		this.clock.advance(Duration.ofSeconds(1));
		TaskInfo task = this.registry.requestCancel(id);
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.finishedAt()).isEqualTo(this.clock.instant());
		assertThat(find(id)).isEqualTo(task);
		assertThat(this.registry.cancelRequested(List.of(id))).isEmpty();
	}

	@Test
	void cancelingARunningTaskFlagsItAndTellsTheListeners() throws Exception {
		String id = aRunningTask();
		String other = aRunningTask();
		List<String> requested = new CopyOnWriteArrayList<>();
		try (AutoCloseable subscription = this.registry.onCancelRequested(requested::add)) {
			this.clock.advance(Duration.ofSeconds(1));
			TaskInfo task = this.registry.requestCancel(id);
			assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
			assertThat(task.finishedAt()).isNull();
			assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
			assertThat(this.registry.cancelRequested(List.of(id, other, uniqueId()))).containsExactly(id);
			await().atMost(WAIT).untilAsserted(() -> assertThat(requested).containsExactly(id));
		}
	}

	@Test
	void aClosedCancelListenerHearsNoMore() throws Exception {
		List<String> closed = new CopyOnWriteArrayList<>();
		List<String> open = new CopyOnWriteArrayList<>();
		this.registry.onCancelRequested(closed::add).close();
		try (AutoCloseable subscription = this.registry.onCancelRequested(open::add)) {
			String id = aRunningTask();
			this.registry.requestCancel(id);
			await().atMost(WAIT).untilAsserted(() -> assertThat(open).containsExactly(id));
			assertThat(closed).isEmpty();
		}
	}

	@Test
	void cancelingACanceledTaskLeavesItAsItIs() {
		String id = aScheduledTask();
		TaskInfo canceled = this.registry.requestCancel(id);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.registry.requestCancel(id)).isEqualTo(canceled);
		assertThat(find(id)).isEqualTo(canceled);
	}

	@Test
	void cancelingAFinishedTaskIsRefused() {
		String id = aFinishedTask("1");
		assertThatIllegalStateChange(() -> this.registry.requestCancel(id), TaskStatus.FINISHED, TaskStatus.CANCELED);
		assertThat(find(id).status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void cancelingAnErroredTaskIsRefused() {
		String id = aRunningTask();
		this.registry.fail(id, tokenOf(id), new TaskError("x", "y"));
		assertThatIllegalStateChange(() -> this.registry.requestCancel(id), TaskStatus.ERRORED, TaskStatus.CANCELED);
	}

	@Test
	void cancelRequestedOfNoIdsIsEmpty() {
		assertThat(this.registry.cancelRequested(List.of())).isEmpty();
	}

	@Test
	void loggingAppendsToTheEventLogInOrder() {
		String id = aRunningTask();
		Instant first = this.clock.instant();
		this.registry.log(id, tokenOf(id), "step 1");
		this.clock.advance(Duration.ofMillis(250));
		this.registry.log(id, tokenOf(id), "step \"2\" \u00e9");
		TaskInfo task = find(id);
		assertThat(task.eventlog()).extracting(TaskEvent::at, TaskEvent::message)
			.containsExactly(tuple(first, "step 1"), tuple(this.clock.instant(), "step \"2\" \u00e9"));
		assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
	}

	@Test
	void theEventLogKeepsTheNewestThousandEntries() {
		String id = aRunningTask();
		for (int i = 0; i < 1005; i++) {
			this.registry.log(id, tokenOf(id), "entry " + i);
		}
		List<TaskEvent> eventlog = find(id).eventlog();
		assertThat(eventlog).hasSize(1000);
		assertThat(eventlog.get(0).message()).isEqualTo("entry 5");
		assertThat(eventlog.get(999).message()).isEqualTo("entry 1004");
	}

	@Test
	void progressOfARunningTaskIsRecorded() {
		String id = aRunningTask();
		this.clock.advance(Duration.ofSeconds(1));
		this.registry.progress(id, tokenOf(id), 0.25);
		TaskInfo task = find(id);
		assertThat(task.progress()).isEqualTo(0.25);
		assertThat(task.updatedAt()).isEqualTo(this.clock.instant());
		this.registry.progress(id, tokenOf(id), 1);
		assertThat(find(id).progress()).isEqualTo(1.0);
	}

	@Test
	void progressOutsideZeroToOneIsRefused() {
		String id = aRunningTask();
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.progress(id, tokenOf(id), -0.01));
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.progress(id, tokenOf(id), 1.01));
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.progress(id, tokenOf(id), Double.NaN));
		assertThat(find(id).progress()).isNull();
	}

	@Test
	void progressOfATaskThatIsNotRunningIsRefused() {
		String id = aScheduledTask();
		assertThatAttemptLost(() -> this.registry.progress(id, tokenOf(id), 0.5), TaskStatus.SCHEDULED);
	}

	@Test
	void whenFinalCompletesOnceTheTaskFinishes() {
		String id = aRunningTask();
		CompletableFuture<TaskInfo> future = this.registry.whenFinal(id);
		assertThat(future).isNotDone();
		this.registry.finish(id, tokenOf(id), "\"done\"");
		assertThat(future).succeedsWithin(WAIT).satisfies((task) -> {
			assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.result()).isEqualTo(this.json.readTree("\"done\""));
		});
	}

	@Test
	void whenFinalCompletesOnceAQueuedTaskIsCanceled() {
		String id = aScheduledTask();
		CompletableFuture<TaskInfo> future = this.registry.whenFinal(id);
		this.registry.requestCancel(id);
		assertThat(future).succeedsWithin(WAIT).extracting(TaskInfo::status).isEqualTo(TaskStatus.CANCELED);
	}

	@Test
	void whenFinalOfAFinalTaskCompletesAtOnce() {
		String id = aFinishedTask("7");
		assertThat(this.registry.whenFinal(id))
			.isCompletedWithValueMatching((task) -> task.id().equals(id) && task.status() == TaskStatus.FINISHED);
	}

	@Test
	void whenFinalOfAnUnknownTaskFailsWithTaskNotFound() {
		assertThat(this.registry.whenFinal(uniqueId())).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(TaskNotFoundException.class);
	}

	@Test
	void everyCallerWaitingForATaskIsTold() {
		String id = aRunningTask();
		CompletableFuture<TaskInfo> first = this.registry.whenFinal(id);
		CompletableFuture<TaskInfo> abandoned = this.registry.whenFinal(id);
		CompletableFuture<TaskInfo> second = this.registry.whenFinal(id);
		abandoned.cancel(false);
		this.registry.fail(id, tokenOf(id), new TaskError("x", "y"));
		assertThat(first).succeedsWithin(WAIT).extracting(TaskInfo::status).isEqualTo(TaskStatus.ERRORED);
		assertThat(second).succeedsWithin(WAIT).extracting(TaskInfo::status).isEqualTo(TaskStatus.ERRORED);
	}

	@Test
	void listingShowsTheNewestTasksFirst() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(aScheduledTask());
			this.clock.advance(Duration.ofMillis(10));
		}
		Collections.reverse(ids);
		TaskPage page = this.registry.list(TaskQuery.all());
		assertThat(page.items()).extracting(TaskInfo::id).containsExactlyElementsOf(ids);
		assertThat(page.next()).isNull();
	}

	@Test
	void tasksCreatedInTheSameMillisecondAreListedByIdDescending() {
		String prefix = uniqueId();
		for (String suffix : List.of("b", "d", "a", "c")) {
			this.registry.create(aTask(prefix + suffix));
		}
		assertThat(listIds(TaskQuery.all())).containsExactly(prefix + "d", prefix + "c", prefix + "b", prefix + "a");
	}

	@Test
	void pagingWithTheCursorWalksEveryTaskOnceInOrder() {
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < 23; i++) {
			// Three tasks per millisecond, so that pages end between tasks of equal time.
			if (i % 3 == 0) {
				this.clock.advance(Duration.ofMillis(1));
			}
			expected.add(aScheduledTask());
		}
		expected.sort(newestFirst());
		List<String> walked = new ArrayList<>();
		List<Integer> sizes = new ArrayList<>();
		TaskCursor cursor = null;
		do {
			TaskPage page = this.registry.list(new TaskQuery(Set.of(), null, 5, cursor));
			page.items().forEach((task) -> walked.add(task.id()));
			sizes.add(page.items().size());
			cursor = page.next();
		}
		while (cursor != null);
		assertThat(walked).containsExactlyElementsOf(expected);
		assertThat(sizes).containsExactly(5, 5, 5, 5, 3);
	}

	@Test
	void aPageThatEndsWithTheLastTaskHasNoNextCursor() {
		for (int i = 0; i < 4; i++) {
			aScheduledTask();
		}
		assertThat(this.registry.list(new TaskQuery(Set.of(), null, 4, null)).next()).isNull();
		TaskPage first = this.registry.list(new TaskQuery(Set.of(), null, 3, null));
		assertThat(first.next()).isNotNull();
		TaskPage last = this.registry.list(new TaskQuery(Set.of(), null, 3, first.next()));
		assertThat(last.items()).hasSize(1);
		assertThat(last.next()).isNull();
	}

	@Test
	void listingAnEmptyRegistryReturnsAnEmptyPage() {
		TaskPage page = this.registry.list(TaskQuery.all());
		assertThat(page.items()).isEmpty();
		assertThat(page.next()).isNull();
	}

	@Test
	void listingFiltersByStatus() {
		String scheduled = aScheduledTask();
		this.clock.advance(Duration.ofMillis(1));
		String finished = aFinishedTask("1");
		this.clock.advance(Duration.ofMillis(1));
		String canceled = aScheduledTask();
		this.registry.requestCancel(canceled);
		this.clock.advance(Duration.ofMillis(1));
		String running = aRunningTask();
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.FINISHED), null, 10, null))).containsExactly(finished);
		assertThat(listIds(
				new TaskQuery(Set.of(TaskStatus.SCHEDULED, TaskStatus.CANCELED, TaskStatus.RUNNING), null, 10, null)))
			.containsExactly(running, canceled, scheduled);
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.ERRORED), null, 10, null))).isEmpty();
	}

	@Test
	void pagingThroughSeveralStatusesMergesThemInOrder() {
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			String id = aScheduledTask();
			switch (i % 3) {
				case 0 -> start(aTask(id), "worker-1");
				case 1 -> this.registry.requestCancel(id);
				default -> {
				}
			}
			if (i % 3 != 2) {
				expected.add(id);
			}
			if (i % 2 == 0) {
				this.clock.advance(Duration.ofMillis(1));
			}
		}
		expected.sort(newestFirst());
		List<String> walked = new ArrayList<>();
		TaskCursor cursor = null;
		do {
			TaskPage page = this.registry
				.list(new TaskQuery(Set.of(TaskStatus.RUNNING, TaskStatus.CANCELED), null, 3, cursor));
			page.items().forEach((task) -> walked.add(task.id()));
			cursor = page.next();
		}
		while (cursor != null);
		assertThat(walked).containsExactlyElementsOf(expected);
	}

	@Test
	void listingFiltersByNameAndByNameAndStatus() {
		String echo = aScheduledTask();
		this.clock.advance(Duration.ofMillis(1));
		String add = uniqueId();
		this.registry.create(new NewTask(add, "sample.add", "[1,2]", "{}", 0));
		this.clock.advance(Duration.ofMillis(1));
		String runningEcho = aRunningTask();
		assertThat(listIds(new TaskQuery(Set.of(), "sample.echo", 10, null))).containsExactly(runningEcho, echo);
		assertThat(listIds(new TaskQuery(Set.of(), "sample.add", 10, null))).containsExactly(add);
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED), "sample.echo", 10, null))).containsExactly(echo);
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED, TaskStatus.RUNNING), "sample.echo", 10, null)))
			.containsExactly(runningEcho, echo);
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.RUNNING), "sample.add", 10, null))).isEmpty();
		assertThat(listIds(new TaskQuery(Set.of(), "sample.unknown", 10, null))).isEmpty();
	}

	@Test
	void aTaskThatChangesStateMovesBetweenStatusListings() {
		String id = aScheduledTask();
		TaskQuery scheduled = new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 10, null);
		TaskQuery running = new TaskQuery(Set.of(TaskStatus.RUNNING), null, 10, null);
		assertThat(listIds(scheduled)).containsExactly(id);
		start(aTask(id), "worker-1");
		assertThat(listIds(scheduled)).isEmpty();
		assertThat(listIds(running)).containsExactly(id);
		assertThat(this.registry.list(running).items().get(0)).isEqualTo(find(id));
	}

	@Test
	void theCursorStaysValidWhenItsTaskChangesState() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(aScheduledTask());
			this.clock.advance(Duration.ofMillis(1));
		}
		TaskQuery firstPage = new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 2, null);
		TaskPage first = this.registry.list(firstPage);
		assertThat(first.items()).extracting(TaskInfo::id).containsExactly(ids.get(4), ids.get(3));
		start(aTask(ids.get(3)), "worker-1");
		TaskPage second = this.registry.list(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 2, first.next()));
		assertThat(second.items()).extracting(TaskInfo::id).containsExactly(ids.get(2), ids.get(1));
	}

	@Test
	void listedTasksCarryTheirEventLog() {
		String id = aRunningTask();
		this.registry.log(id, tokenOf(id), "hello");
		assertThat(this.registry.list(TaskQuery.all()).items()).singleElement()
			.satisfies((task) -> assertThat(task.eventlog()).extracting(TaskEvent::message).containsExactly("hello"));
	}

	@Test
	void anEmptyRegistryCountsNoTasks() {
		TaskCounts counts = this.registry.counts();
		assertThat(counts.byStatus()).containsOnlyKeys(TaskStatus.values())
			.allSatisfy((status, count) -> assertThat(count).isZero());
		assertThat(counts.byName()).isEmpty();
		assertThat(counts.total()).isZero();
	}

	@Test
	void countsAreKeptPerStatusAndPerNameAndStatus() {
		aScheduledTask();
		aScheduledTask();
		aRunningTask();
		aFinishedTask("1");
		anErroredTask();
		String canceled = aScheduledTask();
		this.registry.requestCancel(canceled);
		String retrying = aRunningTask();
		this.registry.retry(retrying, tokenOf(retrying), new TaskError("x", "y"), Duration.ZERO);
		this.registry.create(new NewTask(uniqueId(), "sample.add", "[1,2]", "{}", 0));
		String otherRunning = uniqueId();
		this.registry.create(new NewTask(otherRunning, "sample.add", "[1,2]", "{}", 0));
		start(new NewTask(otherRunning, "sample.add", "[1,2]", "{}", 0), "worker-1");

		TaskCounts counts = this.registry.counts();

		assertThat(counts.byStatus()).containsExactly(entry(TaskStatus.SCHEDULED, 3L), entry(TaskStatus.RUNNING, 2L),
				entry(TaskStatus.RETRYING, 1L), entry(TaskStatus.FINISHED, 1L), entry(TaskStatus.ERRORED, 1L),
				entry(TaskStatus.CANCELED, 1L));
		assertThat(counts.total()).isEqualTo(9);
		assertThat(counts.byName()).containsOnlyKeys("sample.add", "sample.echo");
		assertThat(counts.byName().get("sample.echo")).containsExactly(entry(TaskStatus.SCHEDULED, 2L),
				entry(TaskStatus.RUNNING, 1L), entry(TaskStatus.RETRYING, 1L), entry(TaskStatus.FINISHED, 1L),
				entry(TaskStatus.ERRORED, 1L), entry(TaskStatus.CANCELED, 1L));
		assertThat(counts.byName().get("sample.add")).containsExactly(entry(TaskStatus.SCHEDULED, 1L),
				entry(TaskStatus.RUNNING, 1L), entry(TaskStatus.RETRYING, 0L), entry(TaskStatus.FINISHED, 0L),
				entry(TaskStatus.ERRORED, 0L), entry(TaskStatus.CANCELED, 0L));
	}

	@Test
	void aTaskThatChangesStateMovesBetweenCounts() {
		String id = aScheduledTask();
		assertThat(this.registry.counts().count(TaskStatus.SCHEDULED)).isEqualTo(1);
		start(aTask(id), "worker-1");
		TaskCounts running = this.registry.counts();
		assertThat(running.count(TaskStatus.SCHEDULED)).isZero();
		assertThat(running.count(TaskStatus.RUNNING)).isEqualTo(1);
		this.registry.fail(id, tokenOf(id), new TaskError("x", "y"));
		this.registry.replay(id, uniqueId());
		TaskCounts replayed = this.registry.counts();
		assertThat(replayed.count(TaskStatus.ERRORED)).isZero();
		assertThat(replayed.count(TaskStatus.SCHEDULED)).isEqualTo(1);
		assertThat(replayed.count("sample.echo", TaskStatus.SCHEDULED)).isEqualTo(1);
		assertThat(replayed.total()).isEqualTo(1);
	}

	@Test
	void creatingAnIdThatExistsDoesNotCountItTwice() {
		String id = aScheduledTask();
		this.registry.create(aTask(id));
		this.registry.create(new NewTask(id, "sample.add", "[1,2]", "{}", 0));
		TaskCounts counts = this.registry.counts();
		assertThat(counts.total()).isEqualTo(1);
		assertThat(counts.byName()).containsOnlyKeys("sample.echo");
	}

	@Test
	void countsOfANameWithoutTasksAreZero() {
		aScheduledTask();
		assertThat(this.registry.counts().count("sample.unknown", TaskStatus.SCHEDULED)).isZero();
	}

	@Test
	void aStartRepeatedWithTheSameTokenRunsTheSameAttemptAgain() {
		String id = aScheduledTask();
		StartRequest request = new StartRequest(aTask(id), "worker-1/delivery");
		assertThat(this.registry.start(request, "worker-1", LEASE))
			.isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
		this.clock.advance(Duration.ofSeconds(1));
		// The reply to the first call was lost, and the call is made again.
		assertThat(this.registry.start(request, "worker-1", LEASE))
			.isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
		assertThat(find(id).attempts()).isEqualTo(1);
		this.registry.finish(id, "worker-1/delivery", "1");
		assertThat(find(id).status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void anAttemptThatLostItsTaskToAnotherStoresNothing() {
		String id = aRunningTask();
		String frozen = tokenOf(id);
		this.clock.advance(LEASE);
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
		String current = tokenOf(id);
		this.registry.log(id, current, "step 1");
		TaskInfo before = find(id);
		this.clock.advance(Duration.ofSeconds(1));
		assertThatAttemptLost(() -> this.registry.log(id, frozen, "step 7"), TaskStatus.RUNNING);
		assertThatAttemptLost(() -> this.registry.progress(id, frozen, 0.7), TaskStatus.RUNNING);
		assertThatAttemptLost(() -> this.registry.finish(id, frozen, "1"), TaskStatus.RUNNING);
		assertThatAttemptLost(() -> this.registry.retry(id, frozen, new TaskError("x", "y"), Duration.ZERO),
				TaskStatus.RUNNING);
		assertThatAttemptLost(() -> this.registry.fail(id, frozen, new TaskError("x", "y")), TaskStatus.RUNNING);
		assertThatAttemptLost(() -> this.registry.markCanceled(id, frozen), TaskStatus.RUNNING);
		assertThatAttemptLost(() -> this.registry.requeue(id, frozen), TaskStatus.RUNNING);
		assertThat(this.registry.finishAll(List.of(new TaskResult(id, frozen, "2"))).get(0).refusal())
			.isInstanceOf(AttemptLostException.class);
		assertThat(this.registry.renewLeases(Map.of(id, frozen), LEASE)).containsExactly(id);
		assertThat(find(id)).isEqualTo(before);
		// The attempt that took over goes on as if the frozen one never came back.
		assertThat(this.registry.renewLeases(Map.of(id, current), LEASE)).isEmpty();
		this.registry.finish(id, current, "2");
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.attempts()).isEqualTo(2);
		assertThat(task.worker()).isEqualTo("worker-2");
		assertThat(task.eventlog()).extracting(TaskEvent::message).containsExactly("step 1");
	}

	@Test
	void aChangeFromOutsideAnyAttemptNeverTakesATaskFromALiveLease() {
		String id = aRunningTask();
		assertThatIllegalStateChange(() -> this.registry.fail(id, null, new TaskError("x", "y")), TaskStatus.RUNNING,
				TaskStatus.ERRORED);
		assertThat(find(id).status()).isEqualTo(TaskStatus.RUNNING);
		// Its worker died: the lease ran out.
		this.clock.advance(LEASE);
		this.registry.fail(id, null, new TaskError("x", "y"));
		assertThat(find(id).status()).isEqualTo(TaskStatus.ERRORED);
	}

	@Test
	void handingBackARunningTaskReleasesItsLeaseSoItsMessageRunsAtOnce() {
		String id = aRunningTask();
		assertThat(this.registry.requeue(id, tokenOf(id))).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 2));
	}

	@Test
	void handingBackATaskWhoseCancellationWasRequestedCancelsIt() {
		String id = aRunningTask();
		this.registry.requestCancel(id);
		assertThat(this.registry.requeue(id, tokenOf(id))).isEqualTo(TaskStatus.CANCELED);
		TaskInfo task = find(id);
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.finishedAt()).isEqualTo(this.clock.instant());
		assertThat(start(aTask(id), "worker-2")).isEqualTo(new StartOutcome(Decision.SKIP, TaskStatus.CANCELED, 1));
	}

	@Test
	void aReplayRepeatedWithTheSameTokenAnswersAsTheFirst() {
		String id = anErroredTask();
		TaskInfo first = this.registry.replay(id, "replay-1");
		assertThat(this.registry.replay(id, "replay-1")).isEqualTo(first);
		assertThat(find(id).replays()).isEqualTo(1);
		assertThatIllegalStateChange(() -> this.registry.replay(id, "replay-2"), TaskStatus.SCHEDULED,
				TaskStatus.SCHEDULED);
	}

	@Test
	void aMessageOfATaskLostFromTheRegistryIsStoredAgainWhileItsEntryCannotHaveExpired() {
		NewTask task = new NewTask(uniqueId(), "sample.echo", "[1]", "{}", 5, 0, 0, null,
				this.clock.instant().minus(TTL).plusSeconds(1));
		assertThat(start(task, "worker-1")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
	}

	@Test
	void aMessageThatArrivesAfterItsEntryMayHaveExpiredIsNeverRun() {
		NewTask task = new NewTask(uniqueId(), "sample.echo", "[1]", "{}", 5, 1, 0, null,
				this.clock.instant().minus(TTL));
		assertThat(start(task, "worker-1")).isEqualTo(new StartOutcome(Decision.DEAD_LETTER, TaskStatus.ERRORED, 1));
		TaskInfo stored = find(task.id());
		assertThat(stored.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(stored.error().type()).isEqualTo("dev.amqptasks.TaskExpiredException");
		assertThat(stored.finishedAt()).isEqualTo(this.clock.instant());
	}

	@Test
	void aDelayedMessageMayStoreItsTaskAgainUntilTheTimeToLiveAfterItsDelay() {
		Instant sent = this.clock.instant().minus(TTL.multipliedBy(2));
		NewTask task = new NewTask(uniqueId(), "sample.echo", "[1]", "{}", 5, 0, 0, sent.plus(TTL.plusSeconds(10)),
				sent);
		assertThat(start(task, "worker-1")).isEqualTo(new StartOutcome(Decision.RUN, TaskStatus.RUNNING, 1));
	}

	/** The token of the last attempt started of each task, by this test. */
	private final Map<String, String> tokens = new HashMap<>();

	/** Starts an attempt as a worker does, with a token of its own. */
	protected StartOutcome start(NewTask task, String workerId) {
		String token = workerId + "/" + uniqueId();
		StartOutcome outcome = this.registry.start(new StartRequest(task, token), workerId, LEASE);
		if (outcome.run()) {
			this.tokens.put(task.id(), token);
		}
		return outcome;
	}

	protected List<StartOutcome> startAll(List<NewTask> tasks, String workerId) {
		List<StartRequest> requests = tasks.stream()
			.map((task) -> new StartRequest(task, workerId + "/" + uniqueId()))
			.toList();
		List<StartOutcome> outcomes = this.registry.startAll(requests, workerId, LEASE);
		for (int i = 0; i < outcomes.size(); i++) {
			if (outcomes.get(i).run()) {
				this.tokens.put(tasks.get(i).id(), requests.get(i).token());
			}
		}
		return outcomes;
	}

	/** The token of the task's last attempt, or one that never held it. */
	protected String tokenOf(String id) {
		return this.tokens.getOrDefault(id, "never-started");
	}

	protected void assertThatAttemptLost(Runnable change, TaskStatus status) {
		assertThatExceptionOfType(AttemptLostException.class).isThrownBy(change::run)
			.satisfies((ex) -> assertThat(ex.getStatus()).isEqualTo(status));
	}

	protected String aScheduledTask() {
		String id = uniqueId();
		this.registry.create(aTask(id));
		return id;
	}

	protected String aRunningTask() {
		String id = aScheduledTask();
		start(aTask(id), "worker-1");
		return id;
	}

	protected String aFinishedTask(String resultJson) {
		String id = aRunningTask();
		this.registry.finish(id, tokenOf(id), resultJson);
		return id;
	}

	protected String anErroredTask() {
		String id = aRunningTask();
		this.registry.fail(id, tokenOf(id), new TaskError("x", "y"));
		return id;
	}

	protected static NewTask aTask(String id) {
		return new NewTask(id, "sample.echo", "[1]", "{}", 5);
	}

	/** The task as a message of a later attempt or run carries it. */
	protected static NewTask aTask(String id, int attempts, int replay) {
		return new NewTask(id, "sample.echo", "[1]", "{}", 5, attempts, replay, null, null);
	}

	protected static String uniqueId() {
		return UUID.randomUUID().toString();
	}

	protected TaskInfo find(String id) {
		return this.registry.find(id).orElseThrow();
	}

	protected List<String> listIds(TaskQuery query) {
		return this.registry.list(query).items().stream().map(TaskInfo::id).toList();
	}

	/** The listing order of ids, for tests that know each task's creation time. */
	private Comparator<String> newestFirst() {
		return Comparator.comparing((String id) -> find(id).createdAt())
			.thenComparing(Comparator.naturalOrder())
			.reversed();
	}

	private void assertThatIllegalStateChange(Runnable change, TaskStatus from, TaskStatus to) {
		assertThatExceptionOfType(IllegalTaskStateChangeException.class).isThrownBy(change::run)
			.satisfies((ex) -> assertThat(ex.getFrom()).isEqualTo(from))
			.satisfies((ex) -> assertThat(ex.getTo()).isEqualTo(to));
	}

	private void assertThatTaskNotFound(Runnable change, String id) {
		assertThatExceptionOfType(TaskNotFoundException.class).isThrownBy(change::run)
			.satisfies((ex) -> assertThat(ex.getId()).isEqualTo(id));
	}

}
