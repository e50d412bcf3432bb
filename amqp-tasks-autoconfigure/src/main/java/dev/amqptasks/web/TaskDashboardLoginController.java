package dev.amqptasks.web;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard's own sign-in page ({@code GET /@amqp-dashboard/login}), whose form
 * Spring Security's form login processes with the application's own users. The dashboard
 * has a page of its own so that it never depends on, nor takes over, the application's
 * login page. Only registered when Spring Security secures the dashboard.
 */
@RestController
public class TaskDashboardLoginController {

	private final DashboardTemplate page = DashboardTemplate.load("login.html");

	private final String dashboardPath;

	/**
	 * Creates the controller.
	 * @param dashboardPath where the dashboard is served, without the servlet context
	 * path
	 */
	public TaskDashboardLoginController(String dashboardPath) {
		this.dashboardPath = dashboardPath;
	}

	/**
	 * Where the sign-in form is shown and posted.
	 * @return the path, without the servlet context path
	 */
	public String loginPath() {
		return this.dashboardPath + "/login";
	}

	/**
	 * Where signing out is posted.
	 * @return the path, without the servlet context path
	 */
	public String logoutPath() {
		return this.dashboardPath + "/logout";
	}

	@GetMapping("${amqp-tasks.http.dashboard-path:/@amqp-dashboard}/login")
	public ResponseEntity<String> page(HttpServletRequest request) {
		String context = request.getContextPath();
		CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
		String message = "";
		if (request.getParameter("error") != null) {
			message = "Wrong user name or password.";
		}
		else if (request.getParameter("logout") != null) {
			message = "You are signed out.";
		}
		return this.page.response(Map.of("assets", context + this.dashboardPath + "/assets", "action",
				context + loginPath(), "csrfParameter", (csrf != null) ? csrf.getParameterName() : "_csrf", "csrfToken",
				(csrf != null) ? csrf.getToken() : "", "message", message));
	}

}
