package dev.amqptasks.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample application: serves the amqp-tasks HTTP API (enqueueing included) and
 * enqueues the sample tasks. It does not run them; the standalone worker does, with the
 * sample's {@code -tasks.jar} on its {@code -Dloader.path}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
