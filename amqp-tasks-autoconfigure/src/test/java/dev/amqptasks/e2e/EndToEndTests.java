package dev.amqptasks.e2e;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the end-to-end tests: one property source for all, so that they share one
 * cached context (one worker, one queue) instead of starting one each.
 */
@EndToEndTest
abstract class EndToEndTests {

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		EndToEndTestApplication.properties(registry);
	}

}
