package dev.amqptasks.spi;

/**
 * {@link TaskApiPermissions} that allow everything.
 */
final class UnrestrictedTaskApiPermissions implements TaskApiPermissions {

	static final UnrestrictedTaskApiPermissions INSTANCE = new UnrestrictedTaskApiPermissions();

	private UnrestrictedTaskApiPermissions() {
	}

	@Override
	public boolean canManage() {
		return true;
	}

	@Override
	public boolean canDebug() {
		return true;
	}

}
