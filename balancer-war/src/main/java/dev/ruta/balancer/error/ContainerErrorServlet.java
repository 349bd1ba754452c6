package dev.ruta.balancer.error;

import jakarta.json.Json;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Payara's own errors (no such page, a method its default servlet refuses) in the balancer's
 * JSON shape instead of its HTML page: web.xml sends every container error here.
 */
@WebServlet("/error")
public class ContainerErrorServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer given ? given : HttpServletResponse.SC_NOT_FOUND;
        String error = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            default -> status >= 500 ? "unavailable" : "bad-request";
        };
        String message = status == 404 ? "There is nothing at this path; forwarded paths are /api/<service>/..."
                : "The request cannot be served (" + status + ").";
        byte[] json = Json.createObjectBuilder().add("error", error).add("message", message).build().toString()
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }
}
