package dev.amqptasks.web;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.InitializingBean;

/**
 * Logs, once at start-up, that the task API is served without authentication: the
 * application turned it on ({@code amqp-tasks.http.enabled=true}) and Spring Security's
 * web security does not protect it.
 */
public final class UnsecuredTaskApiWarning implements InitializingBean {

	private static final Log logger = LogFactory.getLog(UnsecuredTaskApiWarning.class);

	private final String paths;

	/**
	 * Creates the warning.
	 * @param paths the paths served, for the message
	 */
	public UnsecuredTaskApiWarning(String paths) {
		this.paths = paths;
	}

	@Override
	public void afterPropertiesSet() {
		logger.warn("The amqp-tasks HTTP API (" + this.paths + ") is served WITHOUT authentication: whoever can "
				+ "reach this port can read task arguments and results and cancel or replay tasks. Add Spring "
				+ "Security (spring-boot-starter-security), or serve the port only to operators, or set "
				+ "amqp-tasks.http.enabled=false");
	}

}
