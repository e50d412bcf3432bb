package dev.amqptasks.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.TaskStatus;
import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskRegistry.Decision;
import dev.amqptasks.spi.TaskRegistry.StartRequest;
import dev.amqptasks.spi.TaskRegistry.TaskResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@Tag("fast")
class CoalescedRegistryWritesTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private final InMemoryTaskRegistry registry = new InMemoryTaskRegistry(JsonMapper.builder().build(),
			Duration.ofHours(1), Clock.systemUTC());

	private final CoalescedRegistryWrites writes = new CoalescedRegistryWrites(this.registry, "worker-1", LEASE);

	private final ExecutorService tasks = Executors.newFixedThreadPool(20);

	@AfterEach
	void stop() {
		this.writes.close();
		this.tasks.shutdownNow();
	}

	@Test
	void tasksStartingAndFinishingAtOnceEachGetTheirOwnOutcome() throws Exception {
		List<CompletableFuture<Decision>> started = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			String id = scheduled();
			ids.add(id);
			started.add(CompletableFuture.supplyAsync(() -> {
				Decision decision = this.writes.start(request(id)).decision();
				this.writes.finish(new TaskResult(id, token(id), "\"" + id + "\""));
				return decision;
			}, this.tasks));
		}
		for (int i = 0; i < ids.size(); i++) {
			assertThat(started.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(Decision.RUN);
			assertThat(this.registry.find(ids.get(i)).orElseThrow().result().asString()).isEqualTo(ids.get(i));
		}
	}

	@Test
	void aRefusedFinishFailsOnlyItsOwnCaller() {
		String finished = scheduled();
		this.writes.start(request(finished));
		this.writes.finish(new TaskResult(finished, token(finished), "1"));
		assertThatExceptionOfType(AttemptLostException.class)
			.isThrownBy(() -> this.writes.finish(new TaskResult(finished, token(finished), "2")));
		String other = scheduled();
		this.writes.start(request(other));
		this.writes.finish(new TaskResult(other, token(other), "3"));
		assertThat(this.registry.find(other).orElseThrow().status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void writesOfATaskThatOutlivedTheWorkersStopStillReachTheRegistry() {
		String id = scheduled();
		this.writes.close();
		assertThat(this.writes.start(request(id)).decision()).isEqualTo(Decision.RUN);
		this.writes.finish(new TaskResult(id, token(id), "42"));
		assertThat(this.registry.find(id).orElseThrow().result().asInt()).isEqualTo(42);
	}

	private String scheduled() {
		String id = UUID.randomUUID().toString();
		this.registry.create(task(id));
		return id;
	}

	/** The start of a task's attempt, with its token. */
	private static StartRequest request(String id) {
		return new StartRequest(task(id), token(id));
	}

	private static String token(String id) {
		return "attempt-of-" + id;
	}

	private static NewTask task(String id) {
		return new NewTask(id, "test.echo", "[]", "{}", 0);
	}

}
