package dev.amqptasks.autoconfigure;

import dev.amqptasks.spi.TaskApiPermissions;
import dev.amqptasks.web.TaskDashboardLoginController;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.logout.LogoutSuccessHandler;
import org.springframework.security.web.authentication.logout.SimpleUrlLogoutSuccessHandler;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Auto-configuration of the security of the task API, the workers and stats endpoints and
 * the dashboard, when Spring Security is on the class path: a filter chain of its own
 * that matches only those paths (so the application's other paths keep its own security,
 * or Spring Boot's default), ordered before Spring Boot's default chain.
 * <ul>
 * <li>Reading (GET) needs {@code amqp-tasks.security.read-authority}; the manage and
 * debug authorities imply it.</li>
 * <li>Cancelling, retrying and enqueuing need
 * {@code amqp-tasks.security.manage-authority}.</li>
 * <li>Arguments and results are shown only with
 * {@code amqp-tasks.security.debug-authority}.</li>
 * <li>Callers sign in with HTTP Basic, or on the dashboard's sign-in page, against the
 * application's own users ({@code UserDetailsService}). An unauthenticated API call gets
 * 401 and a forbidden one 403, both as {@code application/problem+json}; the dashboard
 * page redirects to its sign-in page.</li>
 * <li>Changes need a CSRF token: the {@code XSRF-TOKEN} cookie's value in the
 * {@code X-XSRF-TOKEN} header.</li>
 * </ul>
 * Define a bean named {@code amqpTasksSecurityFilterChain}, or set
 * {@code amqp-tasks.security.enabled=false}, to secure the paths yourself.
 */
@AutoConfiguration(afterName = {
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ SecurityFilterChain.class, HttpSecurity.class, DispatcherServlet.class })
@ConditionalOnBooleanProperty(name = { "amqp-tasks.http.enabled", "amqp-tasks.security.enabled" },
		matchIfMissing = true)
@EnableConfigurationProperties(AmqpTasksProperties.class)
public final class AmqpTasksSecurityAutoConfiguration {

	/**
	 * The order of the amqp-tasks filter chain: before Spring Boot's default chain and
	 * before chains without an order of their own, after chains ordered ahead on purpose.
	 */
	public static final int FILTER_CHAIN_ORDER = Ordered.LOWEST_PRECEDENCE - 10;

	/**
	 * Only where web security is enabled ({@code @EnableWebSecurity}, which Spring Boot
	 * adds): Spring Security's classes alone authenticate no one, and the task views
	 * would hide everything from everyone.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(HttpSecurity.class)
	static class FilterChainConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TaskApiPermissions amqpTasksApiPermissions(AmqpTasksProperties properties) {
			return new AuthorityTaskApiPermissions(properties.security());
		}

		@Bean
		@Order(FILTER_CHAIN_ORDER)
		@ConditionalOnMissingBean(name = "amqpTasksSecurityFilterChain")
		SecurityFilterChain amqpTasksSecurityFilterChain(HttpSecurity http, AmqpTasksProperties properties)
				throws Exception {
			AmqpTasksProperties.Http paths = properties.http();
			AmqpTasksProperties.Security security = properties.security();
			PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
			String dashboard = paths.dashboardPath();
			String[] readers = { security.readAuthority(), security.manageAuthority(), security.debugAuthority() };
			RequestMatcher dashboardPage = new OrRequestMatcher(path.matcher(HttpMethod.GET, dashboard),
					path.matcher(HttpMethod.GET, dashboard + "/"));
			ProblemResponses problems = new ProblemResponses(security);
			AuthenticationEntryPoint signIn = new LoginUrlAuthenticationEntryPoint(dashboard + "/login");
			// Only a person opening the page is sent to sign in; API calls (and the
			// page's own
			// scripts) are told 401.
			AuthenticationEntryPoint entryPoint = (request, response, ex) -> {
				if (dashboardPage.matches(request)) {
					signIn.commence(request, response, ex);
				}
				else {
					problems.unauthorized(request, response, ex);
				}
			};
			HttpSessionRequestCache requestCache = new HttpSessionRequestCache();
			requestCache.setRequestMatcher(dashboardPage);
			http.securityMatcher(
					new OrRequestMatcher(path.matcher(paths.path() + "/**"), path.matcher(paths.workersPath()),
							path.matcher(paths.statsPath()), path.matcher(dashboard + "/**")))
				.authorizeHttpRequests((requests) -> requests
					.requestMatchers(path.matcher(HttpMethod.GET, dashboard + "/assets/**"),
							path.matcher(HttpMethod.GET, dashboard + "/login"))
					.permitAll()
					.requestMatchers(HttpMethod.GET)
					.hasAnyAuthority(readers)
					.requestMatchers(HttpMethod.HEAD)
					.hasAnyAuthority(readers)
					.anyRequest()
					.hasAuthority(security.manageAuthority()))
				.httpBasic((basic) -> basic.realmName(ProblemResponses.REALM)
					.authenticationEntryPoint(problems::unauthorized))
				.formLogin((form) -> form.loginPage(dashboard + "/login")
					.loginProcessingUrl(dashboard + "/login")
					.defaultSuccessUrl(dashboard)
					.failureUrl(dashboard + "/login?error"))
				// Every sign-out goes back to the sign-in page, also when the page's
				// script posts it
				// (Spring Security would answer a script 204).
				.logout((logout) -> logout.logoutRequestMatcher(path.matcher(HttpMethod.POST, dashboard + "/logout"))
					.logoutSuccessHandler(signedOut(dashboard + "/login?logout")))
				// The page's scripts read the token from the cookie and send it in a
				// header.
				.csrf((csrf) -> csrf.spa())
				.addFilterAfter(new CsrfTokenLoadingFilter(), CsrfFilter.class)
				.requestCache((cache) -> cache.requestCache(requestCache))
				.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(entryPoint)
					.defaultAccessDeniedHandlerFor(new AccessDeniedHandlerImpl(), dashboardPage)
					.defaultAccessDeniedHandlerFor(problems::forbidden, AnyRequestMatcher.INSTANCE));
			return http.build();
		}

		private static LogoutSuccessHandler signedOut(String url) {
			SimpleUrlLogoutSuccessHandler handler = new SimpleUrlLogoutSuccessHandler();
			handler.setDefaultTargetUrl(url);
			return handler;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "amqp-tasks.http.dashboard-enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		TaskDashboardLoginController amqpTasksDashboardLoginController(AmqpTasksProperties properties) {
			return new TaskDashboardLoginController(properties.http().dashboardPath());
		}

	}

}
