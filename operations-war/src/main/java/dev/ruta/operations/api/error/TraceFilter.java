package dev.ruta.operations.api.error;

import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * TRACE gets the service's JSON 405 on every path: Payara lets it through to the application
 * (so the answer can be JSON), and no default servlet may echo a request back.
 */
@WebFilter(urlPatterns = "/*")
public class TraceFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!"TRACE".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        byte[] json = Json.createObjectBuilder().add("error", "method-not-allowed")
                .add("message", "TRACE is not answered here.").build().toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }
}
