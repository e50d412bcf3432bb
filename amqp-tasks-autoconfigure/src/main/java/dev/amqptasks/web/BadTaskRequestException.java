package dev.amqptasks.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * A request to the task API that is not valid, with the status to answer.
 */
class BadTaskRequestException extends RuntimeException {

	private final HttpStatusCode status;

	BadTaskRequestException(String message) {
		this(HttpStatus.BAD_REQUEST, message);
	}

	BadTaskRequestException(HttpStatusCode status, String message) {
		super(message);
		this.status = status;
	}

	HttpStatusCode status() {
		return this.status;
	}

}
