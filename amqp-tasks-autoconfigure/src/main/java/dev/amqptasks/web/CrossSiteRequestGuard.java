package dev.amqptasks.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses requests that change tasks when they may come from a page of another site, with
 * or without Spring Security (whose CSRF token is checked before this, where it is
 * present):
 * <ul>
 * <li>a {@code POST} must carry {@code Content-Type: application/json} (or another JSON
 * type) or an {@code X-Requested-With} header. A form, a link or a script of another site
 * cannot send either without the browser first asking this server (a CORS preflight),
 * which the task API never allows;</li>
 * <li>a {@code POST} or {@code DELETE} that the browser marks as coming from another site
 * ({@code Sec-Fetch-Site: cross-site} or {@code same-site}) is refused whatever its
 * headers.</li>
 * </ul>
 * A {@code DELETE} needs no header: browsers never send one to another origin without a
 * preflight. Refusals are 403 {@code application/problem+json}.
 */
public class CrossSiteRequestGuard implements HandlerInterceptor {

	/** The header a script sends to show it is not a form; any value will do. */
	public static final String REQUESTED_WITH = "X-Requested-With";

	private static final String FETCH_SITE = "Sec-Fetch-Site";

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		String method = request.getMethod();
		boolean post = HttpMethod.POST.matches(method);
		if (!post && !HttpMethod.DELETE.matches(method)) {
			return true;
		}
		String site = request.getHeader(FETCH_SITE);
		if ("cross-site".equalsIgnoreCase(site) || "same-site".equalsIgnoreCase(site)) {
			throw new BadTaskRequestException(HttpStatus.FORBIDDEN,
					"Changes to tasks are refused from pages of other sites (Sec-Fetch-Site: " + site + ")");
		}
		if (post && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE)) && request.getHeader(REQUESTED_WITH) == null) {
			throw new BadTaskRequestException(HttpStatus.FORBIDDEN, "A POST to the task API needs the header "
					+ "'Content-Type: application/json' or an 'X-Requested-With' header, which a form on another "
					+ "site cannot send");
		}
		return true;
	}

	private static boolean isJson(String contentType) {
		if (contentType == null) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			return "application".equals(type.getType())
					&& ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
