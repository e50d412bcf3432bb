package dev.amqptasks.testing;

import java.util.Set;

import dev.amqptasks.TaskContext;
import dev.amqptasks.spi.TaskRegistry;

/**
 * The context of a task run by {@link RecordedTasks}: its log and progress go to the
 * registry.
 */
record RecordedTaskContext(String id, String name, String token, int attempt,
		TaskRegistry registry) implements TaskContext {

	@Override
	public boolean isCanceled() {
		return this.registry.cancelRequested(Set.of(this.id)).contains(this.id);
	}

	@Override
	public void log(String message) {
		this.registry.log(this.id, this.token, message);
	}

	@Override
	public void progress(double fraction) {
		this.registry.progress(this.id, this.token, fraction);
	}

}
