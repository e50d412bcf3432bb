package dev.amqptasks.autoconfigure;

import java.util.Arrays;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The connection factories amqp-tasks uses: those named by
 * {@code amqp-tasks.connection-factory} and {@code amqp-tasks.redis-connection-factory},
 * or else the application's single (or primary) one. A name that is not a bean of the
 * right type fails start-up with a message naming the property and the beans there are.
 */
final class ConnectionFactories {

	static final String RABBIT_PROPERTY = "amqp-tasks.connection-factory";

	static final String REDIS_PROPERTY = "amqp-tasks.redis-connection-factory";

	private ConnectionFactories() {
	}

	static ConnectionFactory rabbit(AmqpTasksProperties properties, BeanFactory beanFactory,
			ObjectProvider<ConnectionFactory> candidates) {
		return find(RABBIT_PROPERTY, properties.connectionFactory(), ConnectionFactory.class, beanFactory, candidates);
	}

	static RedisConnectionFactory redis(AmqpTasksProperties properties, BeanFactory beanFactory,
			ObjectProvider<RedisConnectionFactory> candidates) {
		return find(REDIS_PROPERTY, properties.redisConnectionFactory(), RedisConnectionFactory.class, beanFactory,
				candidates);
	}

	private static <T> T find(String property, String name, Class<T> type, BeanFactory beanFactory,
			ObjectProvider<T> candidates) {
		if (name == null) {
			return candidates.getObject();
		}
		try {
			return beanFactory.getBean(name, type);
		}
		catch (NoSuchBeanDefinitionException | BeanNotOfRequiredTypeException ex) {
			String[] names = (beanFactory instanceof ListableBeanFactory listable) ? listable.getBeanNamesForType(type)
					: new String[0];
			throw new IllegalStateException(property + " names '" + name + "', which is not a " + type.getSimpleName()
					+ " bean; the " + type.getSimpleName() + " beans are " + Arrays.toString(names), ex);
		}
	}

	/**
	 * Matches where amqp-tasks knows which RabbitMQ connection factory to use.
	 */
	static final class RabbitCondition extends AnyNestedCondition {

		RabbitCondition() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnProperty(RABBIT_PROPERTY)
		static final class Named {

		}

		@ConditionalOnSingleCandidate(ConnectionFactory.class)
		static final class Single {

		}

	}

	/**
	 * Matches where the registry knows which Redis connection factory to use.
	 */
	static final class RedisCondition extends AnyNestedCondition {

		RedisCondition() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnProperty(REDIS_PROPERTY)
		static final class Named {

		}

		@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
		static final class Single {

		}

	}

}
