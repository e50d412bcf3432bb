package dev.amqptasks.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link InMemoryTaskRegistry}: the contract, and expiry driven by the clock.
 */
@Tag("fast")
class InMemoryTaskRegistryTest extends TaskRegistryContractTest {

	@Override
	protected TaskRegistry createRegistry(Clock clock) {
		return new InMemoryTaskRegistry(this.json, TTL, clock);
	}

	@Test
	void aTaskIsGoneOnceItsTimeToLiveHasPassedSinceItsLastChange() {
		String id = aRunningTask();
		this.clock.advance(TTL.minusMillis(1));
		this.registry.log(id, tokenOf(id), "still here");
		this.clock.advance(TTL.minusMillis(1));
		assertThat(this.registry.find(id)).isPresent();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(this.registry.find(id)).isEmpty();
		assertThat(this.registry.cancelRequested(List.of(id))).isEmpty();
	}

	@Test
	void aDelayedTaskLivesUntilItsDelayHasPassedPlusTheTimeToLive() {
		String id = uniqueId();
		this.registry.create(new NewTask(id, "sample.echo", "[1]", "{}", 5, this.clock.instant().plus(TTL)));
		this.registry.requestCancel(id);
		this.clock.advance(TTL.multipliedBy(2).minusMillis(1));
		assertThat(this.registry.find(id)).isPresent();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(this.registry.find(id)).isEmpty();
	}

	@Test
	void anErroredTaskLivesAsLongAsItsDeadLetter() {
		InMemoryTaskRegistry keepingErrors = new InMemoryTaskRegistry(this.json, TTL, TTL.multipliedBy(3), this.clock);
		String id = uniqueId();
		keepingErrors.create(aTask(id));
		keepingErrors.fail(id, null, new TaskError("x", "y"));
		this.clock.advance(TTL.multipliedBy(3).minusMillis(1));
		assertThat(keepingErrors.find(id)).isPresent();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(keepingErrors.find(id)).isEmpty();
	}

	@Test
	void aTaskWhoseLeaseIsRenewedDoesNotExpire() {
		String id = aRunningTask();
		this.clock.advance(TTL.minusMillis(1));
		this.registry.renewLeases(Map.of(id, tokenOf(id)), LEASE);
		this.clock.advance(TTL.minusMillis(1));
		assertThat(this.registry.find(id)).isPresent();
	}

	@Test
	void expiredTasksAreNotListed() {
		String old = aScheduledTask();
		this.clock.advance(TTL.dividedBy(2));
		String recent = aScheduledTask();
		this.clock.advance(TTL.dividedBy(2));
		assertThat(listIds(TaskQuery.all())).containsExactly(recent);
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED), "sample.echo", 10, null)))
			.containsExactly(recent);
		assertThat(this.registry.find(old)).isEmpty();
	}

	@Test
	void expiredTasksAreNotCounted() {
		aFinishedTask("1");
		this.clock.advance(TTL.dividedBy(2));
		aScheduledTask();
		this.clock.advance(TTL.dividedBy(2));
		TaskCounts counts = this.registry.counts();
		assertThat(counts.total()).isEqualTo(1);
		assertThat(counts.count(TaskStatus.SCHEDULED)).isEqualTo(1);
		assertThat(counts.count("sample.echo", TaskStatus.FINISHED)).isZero();
	}

	@Test
	void anExpiredTaskCanBeCreatedAgain() {
		String id = aFinishedTask("1");
		this.clock.advance(TTL);
		assertThat(this.registry.create(aTask(id)).created()).isTrue();
		assertThat(find(id).status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(find(id).result()).isNull();
	}

	@Test
	void whenFinalFailsOnceTheAwaitedTaskExpires() {
		String id = aRunningTask();
		CompletableFuture<TaskInfo> future = this.registry.whenFinal(id);
		this.clock.advance(TTL);
		this.registry.list(TaskQuery.all());
		assertThat(future).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(TaskNotFoundException.class);
	}

}
