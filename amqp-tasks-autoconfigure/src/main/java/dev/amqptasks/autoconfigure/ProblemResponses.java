package dev.amqptasks.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.csrf.CsrfException;

/**
 * Answers unauthenticated and forbidden requests to the task API as
 * {@code application/problem+json}, like every other error of the API. Written by hand
 * because these answers come from the security filter chain, before Spring MVC and its
 * message converters.
 */
final class ProblemResponses {

	/** The realm of HTTP Basic authentication. */
	static final String REALM = "amqp-tasks";

	private final AmqpTasksProperties.Security security;

	ProblemResponses(AmqpTasksProperties.Security security) {
		this.security = security;
	}

	void unauthorized(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException {
		// Scripts (the dashboard) ask not to be challenged, so that the browser shows no
		// password dialog of its own when a session ends.
		if (!"XMLHttpRequest".equals(request.getHeader("X-Requested-With"))) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\"");
		}
		write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized",
				"Authentication is required: use HTTP Basic or sign in on the dashboard");
	}

	void forbidden(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException {
		String detail;
		if (ex instanceof CsrfException) {
			detail = "Missing or invalid CSRF token: "
					+ "send the value of the XSRF-TOKEN cookie in the X-XSRF-TOKEN header";
		}
		else if (isRead(request)) {
			detail = "Reading tasks needs the authority " + this.security.readAuthority();
		}
		else {
			detail = "Changing tasks needs the authority " + this.security.manageAuthority();
		}
		write(request, response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", detail);
	}

	static boolean isRead(HttpServletRequest request) {
		return HttpMethod.GET.matches(request.getMethod()) || HttpMethod.HEAD.matches(request.getMethod());
	}

	private static void write(HttpServletRequest request, HttpServletResponse response, int status, String title,
			String detail) throws IOException {
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.getWriter()
			.write("{\"type\":\"about:blank\",\"title\":" + json(title) + ",\"status\":" + status + ",\"detail\":"
					+ json(detail) + ",\"instance\":" + json(request.getRequestURI()) + "}");
	}

	private static String json(String value) {
		StringBuilder json = new StringBuilder(value.length() + 2).append('"');
		for (char c : value.toCharArray()) {
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		return json.append('"').toString();
	}

}
