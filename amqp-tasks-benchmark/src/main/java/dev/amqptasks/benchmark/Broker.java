package dev.amqptasks.benchmark;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The driver's own connection to RabbitMQ, for what the task system does not do: version,
 * consumer counts, deleting what a run declared.
 */
final class Broker implements AutoCloseable {

	private final ConnectionFactory factory;

	private Connection connection;

	Broker(String host, int port) throws IOException, TimeoutException {
		this.factory = factory(host, port);
		this.connection = this.factory.newConnection("amqp-tasks-benchmark-admin");
	}

	/**
	 * The connection, opened again if the broker closed it (clean-up must still work).
	 */
	private synchronized Connection connection() throws IOException {
		if (!this.connection.isOpen()) {
			try {
				this.connection = this.factory.newConnection("amqp-tasks-benchmark-admin");
			}
			catch (TimeoutException ex) {
				throw new IOException(ex);
			}
		}
		return this.connection;
	}

	static ConnectionFactory factory(String host, int port) {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost(host);
		factory.setPort(port);
		factory.setUsername("guest");
		factory.setPassword("guest");
		factory.setAutomaticRecoveryEnabled(false);
		return factory;
	}

	ConnectionFactory factory() {
		return this.factory;
	}

	String version() {
		Object product = this.connection.getServerProperties().get("product");
		Object version = this.connection.getServerProperties().get("version");
		return product + " " + version;
	}

	/**
	 * The consumers of a queue.
	 * @param queue the queue
	 * @return the count, or -1 if the queue does not exist
	 */
	int consumers(String queue) throws IOException {
		try (Channel channel = connection().createChannel()) {
			return channel.queueDeclarePassive(queue).getConsumerCount();
		}
		catch (IOException ex) {
			// A passive declare of a missing queue closes the channel with 404.
			return -1;
		}
		catch (TimeoutException ex) {
			throw new IOException(ex);
		}
	}

	/**
	 * The ready messages of a queue.
	 * @param queue the queue
	 * @return the count, or -1 if the queue does not exist
	 */
	long messages(String queue) throws IOException {
		try (Channel channel = connection().createChannel()) {
			return channel.queueDeclarePassive(queue).getMessageCount();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (TimeoutException ex) {
			throw new IOException(ex);
		}
	}

	void deleteQueue(String queue) throws IOException, TimeoutException {
		try (Channel channel = connection().createChannel()) {
			channel.queueDelete(queue);
		}
	}

	void deleteExchange(String exchange) throws IOException, TimeoutException {
		try (Channel channel = connection().createChannel()) {
			channel.exchangeDelete(exchange);
		}
	}

	@Override
	public synchronized void close() throws IOException {
		if (this.connection.isOpen()) {
			this.connection.close();
		}
	}

}
