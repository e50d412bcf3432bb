package dev.amqptasks.e2e;

import java.time.Duration;

import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

class EnqueueEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private TaskClient client;

	@Test
	void anInterruptedCallerLearnsThatItsTaskWasEnqueuedAndKeepsItsInterrupt() throws Exception {
		TaskHandle handle;
		Thread.currentThread().interrupt();
		try {
			handle = this.client.enqueue("test.add", 2, 2);
		}
		finally {
			assertThat(Thread.interrupted()).as("interrupt status after the enqueue").isTrue();
		}

		assertThat(handle.await(TIMEOUT).status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(handle.info().result().asInt()).isEqualTo(4);
	}

}
