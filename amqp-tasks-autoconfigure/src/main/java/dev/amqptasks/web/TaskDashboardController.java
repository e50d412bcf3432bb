package dev.amqptasks.web;

import java.net.URI;
import java.util.Map;

import dev.amqptasks.spi.TaskApiPermissions;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the dashboard page ({@code GET /@amqp-dashboard}): plain HTML, a script and a
 * style sheet from the starter's jar (served under {@code /@amqp-dashboard/assets/}),
 * which read the task API, the workers and the stats, and update themselves every few
 * seconds. Nothing runs in a separate process and nothing is loaded from another site.
 */
@RestController
public class TaskDashboardController {

	private final DashboardTemplate page = DashboardTemplate.load("index.html");

	private final Paths paths;

	private final TaskApiPermissions permissions;

	private final ObjectProvider<TaskDashboardLoginController> login;

	/**
	 * Creates the controller.
	 * @param paths where the dashboard and the API it reads are served
	 * @param permissions what the caller may do, so that the page shows only the buttons
	 * the caller may use
	 * @param login the dashboard's sign-in page, if the dashboard has one
	 */
	public TaskDashboardController(Paths paths, TaskApiPermissions permissions,
			ObjectProvider<TaskDashboardLoginController> login) {
		this.paths = paths;
		this.permissions = permissions;
		this.login = login;
	}

	@GetMapping("${amqp-tasks.http.dashboard-path:/@amqp-dashboard}")
	public ResponseEntity<String> page(HttpServletRequest request) {
		String context = request.getContextPath();
		TaskDashboardLoginController signIn = this.login.getIfAvailable();
		String user = (request.getUserPrincipal() != null) ? request.getUserPrincipal().getName() : "";
		return this.page.response(Map.of("assets", context + this.paths.dashboard() + "/assets", "tasks",
				context + this.paths.tasks(), "workers", context + this.paths.workers(), "stats",
				context + this.paths.stats(), "canManage", Boolean.toString(this.permissions.canManage()), "canDebug",
				Boolean.toString(this.permissions.canDebug()), "user", user, "signOut",
				(signIn != null && !user.isEmpty()) ? context + signIn.logoutPath() : ""));
	}

	/**
	 * The path with a trailing slash leads to the page, so that a hand-typed address
	 * works.
	 * @param request the request
	 * @return a redirect to the page
	 */
	@GetMapping("${amqp-tasks.http.dashboard-path:/@amqp-dashboard}/")
	public ResponseEntity<Void> slash(HttpServletRequest request) {
		return ResponseEntity.status(302)
			.location(URI.create(request.getContextPath() + this.paths.dashboard()))
			.build();
	}

	/**
	 * Where the dashboard and the API it reads are served, without the servlet context
	 * path.
	 *
	 * @param dashboard the dashboard page
	 * @param tasks the task API
	 * @param workers the list of workers
	 * @param stats the counts and queue depths
	 */
	public record Paths(String dashboard, String tasks, String workers, String stats) {
	}

}
