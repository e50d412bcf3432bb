package dev.amqptasks;

/**
 * No task with the given name is registered.
 */
public class UnknownTaskException extends AmqpTasksException {

	private final String name;

	public UnknownTaskException(String name) {
		super("No task named '" + name + "' is registered");
		this.name = name;
	}

	/**
	 * The unknown name.
	 * @return the name
	 */
	public String getName() {
		return this.name;
	}

}
