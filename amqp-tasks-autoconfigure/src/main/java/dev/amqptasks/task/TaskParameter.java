package dev.amqptasks.task;

import java.lang.reflect.Type;

/**
 * One parameter of a task method.
 *
 * @param name the parameter name, used to bind named arguments
 * @param index the position among the method's parameters
 * @param position the position among the task's JSON arguments, {@code -1} for the others
 * @param kind what the parameter receives
 * @param type the generic parameter type
 */
public record TaskParameter(String name, int index, int position, Kind kind, Type type) {

	/**
	 * What a parameter receives.
	 */
	public enum Kind {

		/** A JSON argument of the task. */
		ARGUMENT,

		/** The running task's context, supplied by the worker. */
		CONTEXT,

		/** The caller's enqueue options, never sent. */
		OPTIONS

	}

}
