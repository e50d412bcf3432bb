package dev.amqptasks.autoconfigure;

import dev.amqptasks.client.TaskEnqueuer;
import dev.amqptasks.client.TaskReplayer;
import dev.amqptasks.spi.TaskApiPermissions;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.web.CrossSiteRequestGuard;
import dev.amqptasks.web.TaskApiExceptionHandler;
import dev.amqptasks.web.TaskController;
import dev.amqptasks.web.TaskDashboardController;
import dev.amqptasks.web.TaskDashboardLoginController;
import dev.amqptasks.web.TaskOverviewController;
import dev.amqptasks.web.UnsecuredTaskApiWarning;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Auto-configuration of the task HTTP API, the workers and stats endpoints and the
 * dashboard in a Spring MVC application: where Spring Security's web security protects
 * them, or where the application turns them on with {@code amqp-tasks.http.enabled=true}
 * (then, without Spring Security, a warning says they are unauthenticated). Requests that
 * change tasks are refused when they may come from another site
 * ({@link CrossSiteRequestGuard}).
 */
@AutoConfiguration(after = AmqpTasksAutoConfiguration.class, afterName = {
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@Conditional(OnTaskApiCondition.class)
@ConditionalOnBean(TaskEnqueuer.class)
public final class TaskWebAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TaskController amqpTasksController(TaskRegistry taskRegistry, TaskEnqueuer amqpTasksEnqueuer,
			TaskReplayer amqpTasksReplayer, TaskCatalog amqpTasksCatalog, AmqpTasksProperties properties,
			ObjectProvider<TaskApiPermissions> permissions) {
		return new TaskController(taskRegistry, amqpTasksEnqueuer, amqpTasksReplayer, amqpTasksCatalog,
				properties.http().path(), properties.http().enqueueEnabled(),
				permissions.getIfAvailable(TaskApiPermissions::unrestricted));
	}

	@Bean
	@ConditionalOnMissingBean
	TaskOverviewController amqpTasksOverviewController(TaskRegistry taskRegistry,
			ObjectProvider<WorkerDirectory> workerDirectory, ObjectProvider<TaskQueueDepths> queueDepths) {
		return new TaskOverviewController(taskRegistry, workerDirectory, queueDepths);
	}

	@Bean
	@ConditionalOnMissingBean
	TaskApiExceptionHandler amqpTasksApiExceptionHandler() {
		return new TaskApiExceptionHandler();
	}

	@Bean
	WebMvcConfigurer amqpTasksCrossSiteRequestGuard(AmqpTasksProperties properties) {
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				String path = properties.http().path();
				registry.addInterceptor(new CrossSiteRequestGuard()).addPathPatterns(path, path + "/**");
			}

		};
	}

	@Bean
	@Conditional(OnTaskApiCondition.Unprotected.class)
	UnsecuredTaskApiWarning amqpTasksUnsecuredApiWarning(AmqpTasksProperties properties) {
		AmqpTasksProperties.Http http = properties.http();
		return new UnsecuredTaskApiWarning(http.path() + ", " + http.workersPath() + ", " + http.statsPath()
				+ (http.dashboardEnabled() ? ", " + http.dashboardPath() : ""));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "amqp-tasks.http.dashboard-enabled", matchIfMissing = true)
	static class DashboardConfiguration {

		/** The dashboard's script, style sheet and images, in the starter's jar. */
		private static final String ASSETS = "classpath:/dev/amqptasks/web/dashboard/assets/";

		@Bean
		@ConditionalOnMissingBean
		TaskDashboardController amqpTasksDashboardController(AmqpTasksProperties properties,
				ObjectProvider<TaskApiPermissions> permissions, ObjectProvider<TaskDashboardLoginController> login) {
			AmqpTasksProperties.Http http = properties.http();
			return new TaskDashboardController(new TaskDashboardController.Paths(http.dashboardPath(), http.path(),
					http.workersPath(), http.statsPath()), permissions.getIfAvailable(TaskApiPermissions::unrestricted),
					login);
		}

		@Bean
		WebMvcConfigurer amqpTasksDashboardAssets(AmqpTasksProperties properties) {
			return new WebMvcConfigurer() {

				@Override
				public void addResourceHandlers(ResourceHandlerRegistry registry) {
					// Served from a location of their own, not META-INF/resources, so
					// that they are
					// reachable only under the dashboard's path (and its security).
					// Revalidated on each use, so that a new version of the starter shows
					// at once.
					registry.addResourceHandler(properties.http().dashboardPath() + "/assets/**")
						.addResourceLocations(ASSETS)
						.setCacheControl(CacheControl.noCache());
				}

			};
		}

	}

}
