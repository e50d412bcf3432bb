package dev.amqptasks.web;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskTooLargeException;
import dev.amqptasks.UnknownTaskException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers every error of the task API as {@code application/problem+json} (RFC 9457),
 * with a message meant for the caller and never a stack trace. It applies to the task
 * API, the workers and the stats only, so the application's own error handling is left
 * alone.
 */
@RestControllerAdvice(assignableTypes = { TaskController.class, TaskOverviewController.class })
public class TaskApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Log logger = LogFactory.getLog(TaskApiExceptionHandler.class);

	@ExceptionHandler(BadTaskRequestException.class)
	ProblemDetail badRequest(BadTaskRequestException ex) {
		return problem(ex.status(), (ex.status().value() == 403) ? "Request refused" : "Invalid request",
				ex.getMessage());
	}

	@ExceptionHandler(InvalidTaskArgumentsException.class)
	ProblemDetail invalidArguments(InvalidTaskArgumentsException ex) {
		return problem(HttpStatus.BAD_REQUEST, "Invalid task arguments", ex.getMessage());
	}

	@ExceptionHandler(TaskTooLargeException.class)
	ProblemDetail tooLarge(TaskTooLargeException ex) {
		ProblemDetail problem = problem(HttpStatus.CONTENT_TOO_LARGE, "Task too large", ex.getMessage());
		problem.setProperty("size", ex.getSize());
		problem.setProperty("limit", ex.getLimit());
		return problem;
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail illegalArgument(IllegalArgumentException ex) {
		return problem(HttpStatus.BAD_REQUEST, "Invalid request", ex.getMessage());
	}

	@ExceptionHandler(TaskNotFoundException.class)
	ProblemDetail notFound(TaskNotFoundException ex) {
		return problem(HttpStatus.NOT_FOUND, "Task not found", ex.getMessage());
	}

	@ExceptionHandler(UnknownTaskException.class)
	ProblemDetail unknownTask(UnknownTaskException ex) {
		return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Unknown task", ex.getMessage());
	}

	@ExceptionHandler(IllegalTaskStateChangeException.class)
	ProblemDetail conflict(IllegalTaskStateChangeException ex) {
		ProblemDetail problem = problem(HttpStatus.CONFLICT, "Task is " + ex.getFrom().value(), ex.getMessage());
		problem.setProperty("taskStatus", ex.getFrom().value());
		return problem;
	}

	@ExceptionHandler(TaskEnqueueException.class)
	ProblemDetail unavailable(TaskEnqueueException ex) {
		logger.warn("Enqueue failed: " + ex.getMessage());
		return problem(HttpStatus.SERVICE_UNAVAILABLE, "Task not enqueued", ex.getMessage());
	}

	@ExceptionHandler(DataAccessException.class)
	ProblemDetail registryUnavailable(DataAccessException ex) {
		logger.warn("Task registry unavailable: " + ex.getMessage());
		return problem(HttpStatus.SERVICE_UNAVAILABLE, "Task registry unavailable",
				"The task registry cannot be reached; try again later");
	}

	@ExceptionHandler(Exception.class)
	ProblemDetail unexpected(Exception ex) {
		logger.error("Unexpected error in the task API", ex);
		return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
				"The request failed; the server log has the details");
	}

	private static ProblemDetail problem(HttpStatusCode status, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		return problem;
	}

}
