package dev.amqptasks.autoconfigure;

import dev.amqptasks.spi.TaskApiPermissions;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * {@link TaskApiPermissions} from the authorities of the caller that Spring Security
 * authenticated for the current request.
 */
final class AuthorityTaskApiPermissions implements TaskApiPermissions {

	private final String manageAuthority;

	private final String debugAuthority;

	AuthorityTaskApiPermissions(AmqpTasksProperties.Security security) {
		this.manageAuthority = security.manageAuthority();
		this.debugAuthority = security.debugAuthority();
	}

	@Override
	public boolean canManage() {
		return has(this.manageAuthority);
	}

	@Override
	public boolean canDebug() {
		return has(this.debugAuthority);
	}

	private static boolean has(String authority) {
		Authentication caller = SecurityContextHolder.getContextHolderStrategy().getContext().getAuthentication();
		if (caller == null || !caller.isAuthenticated()) {
			return false;
		}
		for (GrantedAuthority granted : caller.getAuthorities()) {
			if (authority.equals(granted.getAuthority())) {
				return true;
			}
		}
		return false;
	}

}
