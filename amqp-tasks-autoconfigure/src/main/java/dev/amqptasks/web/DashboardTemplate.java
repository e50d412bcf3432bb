package dev.amqptasks.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.StreamUtils;
import org.springframework.web.util.HtmlUtils;

/**
 * A page of the dashboard: an HTML file from the jar whose {@code {{name}}} placeholders
 * are replaced by HTML-escaped values. That is all the templating the pages need (paths,
 * flags and a CSRF token), so the starter depends on no template engine.
 */
final class DashboardTemplate {

	/** Where the dashboard's files are in the jar. */
	static final String LOCATION = "dev/amqptasks/web/dashboard/";

	/**
	 * Scripts and styles come from the dashboard's own files only: a value that slipped
	 * into the page unescaped still could not run.
	 */
	private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

	private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z]+)}}");

	private final String name;

	private final String html;

	private DashboardTemplate(String name, String html) {
		this.name = name;
		this.html = html;
	}

	static DashboardTemplate load(String name) {
		ClassPathResource resource = new ClassPathResource(LOCATION + name);
		try (InputStream input = resource.getInputStream()) {
			return new DashboardTemplate(name, StreamUtils.copyToString(input, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read the dashboard page " + resource, ex);
		}
	}

	String render(Map<String, String> values) {
		Matcher matcher = PLACEHOLDER.matcher(this.html);
		StringBuilder page = new StringBuilder(this.html.length() + 256);
		while (matcher.find()) {
			String value = values.get(matcher.group(1));
			if (value == null) {
				throw new IllegalStateException("No value for {{" + matcher.group(1) + "}} in " + this.name);
			}
			matcher.appendReplacement(page, Matcher.quoteReplacement(HtmlUtils.htmlEscape(value)));
		}
		matcher.appendTail(page);
		return page.toString();
	}

	/**
	 * The rendered page as a response that no cache keeps (it carries the caller's
	 * permissions and token) and that runs only the dashboard's own scripts.
	 */
	ResponseEntity<String> response(Map<String, String> values) {
		return ResponseEntity.ok()
			.contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
			.cacheControl(CacheControl.noStore())
			.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
			.header("Referrer-Policy", "same-origin")
			.header("X-Content-Type-Options", "nosniff")
			.body(render(values));
	}

}
