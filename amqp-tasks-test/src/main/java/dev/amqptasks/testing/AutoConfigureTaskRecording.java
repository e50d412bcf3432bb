package dev.amqptasks.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.test.context.TestPropertySource;

/**
 * Put on a {@code @SpringBootTest} class to test an application that uses amqp-tasks
 * without RabbitMQ, Redis or a worker: calls to {@code @AmqpTask} methods and
 * {@code TaskClient} store their tasks as {@code scheduled} in an in-memory registry and
 * record their messages instead of publishing them. The {@link RecordedTasks} bean shows
 * what was enqueued, with which arguments, and runs the recorded tasks in the test's
 * thread when asked.
 * <p>
 * It sets {@code amqp-tasks.registry.type=memory} and
 * {@code amqp-tasks.worker.enabled=false} for the test's context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration(TaskRecordingAutoConfiguration.class)
@TestPropertySource(properties = { "amqp-tasks.registry.type=memory", "amqp-tasks.worker.enabled=false" })
public @interface AutoConfigureTaskRecording {

}
