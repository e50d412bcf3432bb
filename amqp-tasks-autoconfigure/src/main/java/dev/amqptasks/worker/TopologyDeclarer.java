package dev.amqptasks.worker;

import com.rabbitmq.client.ShutdownSignalException;
import dev.amqptasks.TaskTopologyMismatchException;
import dev.amqptasks.amqp.TaskTopology;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * Declares the task queues before a worker consumes, so that a queue that exists with
 * other arguments stops the worker at start-up with the broker's own explanation, instead
 * of a consumer that fails over and over.
 */
final class TopologyDeclarer {

	private static final Log logger = LogFactory.getLog(TopologyDeclarer.class);

	private final ConnectionFactory connectionFactory;

	private final TaskTopology topology;

	TopologyDeclarer(ConnectionFactory connectionFactory, TaskTopology topology) {
		this.connectionFactory = connectionFactory;
		this.topology = topology;
	}

	void declare() {
		declare(this.topology.declarables().getDeclarables());
	}

	void declare(java.util.Collection<?> declarables) {
		RabbitAdmin admin = new RabbitAdmin(this.connectionFactory);
		try {
			for (Object declarable : declarables) {
				if (declarable instanceof Exchange exchange) {
					admin.declareExchange(exchange);
				}
				else if (declarable instanceof Queue queue) {
					admin.declareQueue(queue);
				}
				else if (declarable instanceof Binding binding) {
					admin.declareBinding(binding);
				}
			}
		}
		catch (AmqpConnectException ex) {
			logger.warn("RabbitMQ is not reachable; the task queues are declared once it is: " + ex.getMessage());
		}
		catch (AmqpException ex) {
			String reply = brokerReply(ex);
			if (reply != null && reply.startsWith("PRECONDITION_FAILED")) {
				throw new TaskTopologyMismatchException(reply, ex);
			}
			throw ex;
		}
	}

	private static String brokerReply(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ShutdownSignalException signal
					&& signal.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close) {
				return close.getReplyText();
			}
		}
		return null;
	}

}
