package dev.pacer.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP Basic authentication of Pacer's own endpoints ({@code /api}, the metrics) against the
 * engine's users, the same logins as {@code /engine-rest} and Cockpit.
 */
public class BasicAuthenticationFilter extends OncePerRequestFilter {

    private final IdentityService identity;

    public BasicAuthenticationFilter(IdentityService identity) {
        this.identity = identity;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String[] login = credentials(request.getHeader("Authorization"));
        if (login == null || !identity.checkPassword(login[0], login[1])) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"pacer\", charset=\"UTF-8\"");
            Refusals.send(response, HttpServletResponse.SC_UNAUTHORIZED, "AuthenticationException", "log in with a Pacer user (HTTP Basic)");
            return;
        }
        request.setAttribute(USER, login[0]);
        chain.doFilter(request, response);
    }

    /** The request attribute naming the user who logged in: who made a change, for its audit. */
    public static final String USER = "dev.pacer.user";

    /** The user and password of a Basic {@code Authorization} header, or null. */
    static String[] credentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon <= 0 ? null : new String[]{decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
