package dev.amqptasks.autoconfigure;

import java.util.List;
import java.util.Set;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.env.Environment;

/**
 * Adds the worker's {@code amqpTasks} health component to the {@code readiness} group,
 * where one exists (with probes enabled, or defined by the application) and the
 * application did not list the group's members itself. Readiness, not liveness: the
 * beacon depends on the broker, and Spring Boot's guidance is that liveness must not
 * depend on external systems (a broker outage would restart every worker at once and fix
 * nothing). A worker whose beacon is lost is taken out of service instead; the worker app
 * also exits on its own ({@code amqp-tasks.beacon.exit-on-loss}). Done on the groups
 * rather than with a {@code management.endpoint.health.group.*.include} default, which
 * would name a group member that may not exist and stop the application from starting.
 */
final class ReadinessGroupPostProcessor implements HealthEndpointGroupsPostProcessor {

	static final String GROUP = "readiness";

	static final String MEMBER = "amqpTasks";

	private static final String INCLUDE = "management.endpoint.health.group." + GROUP + ".include";

	private final Environment environment;

	ReadinessGroupPostProcessor(Environment environment) {
		this.environment = environment;
	}

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		HealthEndpointGroup readiness = groups.get(GROUP);
		if (readiness == null || readiness.isMember(MEMBER) || this.environment.containsProperty(INCLUDE)) {
			return groups;
		}
		return new Groups(groups, new WithMember(readiness));
	}

	/**
	 * The groups, with the readiness group replaced.
	 */
	private static final class Groups implements HealthEndpointGroups, AdditionalPathsMapper {

		private final HealthEndpointGroups delegate;

		private final HealthEndpointGroup readiness;

		Groups(HealthEndpointGroups delegate, HealthEndpointGroup readiness) {
			this.delegate = delegate;
			this.readiness = readiness;
		}

		@Override
		public HealthEndpointGroup getPrimary() {
			return this.delegate.getPrimary();
		}

		@Override
		public Set<String> getNames() {
			return this.delegate.getNames();
		}

		@Override
		public HealthEndpointGroup get(String name) {
			return GROUP.equals(name) ? this.readiness : this.delegate.get(name);
		}

		@Override
		public List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
			// Keeps the probes' additional paths (such as /readyz) that Spring Boot maps.
			return (this.delegate instanceof AdditionalPathsMapper mapper)
					? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
		}

	}

	/**
	 * A group with the {@code amqpTasks} component added to its members.
	 */
	private static final class WithMember implements HealthEndpointGroup {

		private final HealthEndpointGroup delegate;

		WithMember(HealthEndpointGroup delegate) {
			this.delegate = delegate;
		}

		@Override
		public boolean isMember(String name) {
			return MEMBER.equals(name) || this.delegate.isMember(name);
		}

		@Override
		public boolean showComponents(SecurityContext securityContext) {
			return this.delegate.showComponents(securityContext);
		}

		@Override
		public boolean showDetails(SecurityContext securityContext) {
			return this.delegate.showDetails(securityContext);
		}

		@Override
		public StatusAggregator getStatusAggregator() {
			return this.delegate.getStatusAggregator();
		}

		@Override
		public HttpCodeStatusMapper getHttpCodeStatusMapper() {
			return this.delegate.getHttpCodeStatusMapper();
		}

		@Override
		public AdditionalHealthEndpointPath getAdditionalPath() {
			return this.delegate.getAdditionalPath();
		}

	}

}
