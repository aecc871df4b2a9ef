package dev.pacer.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Answers only requests addressed to one of the server's own names: a page that rebinds its DNS
 * name to 127.0.0.1 still sends its own name in {@code Host}, and is refused (421).
 */
public class HostCheckFilter extends OncePerRequestFilter {

    private final Set<String> hosts;

    /** @param hosts the names the server answers to, without ports, lower case */
    public HostCheckFilter(Set<String> hosts) {
        this.hosts = hosts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String host = host(request.getHeader("Host"));
        if (host == null || !hosts.contains(host)) {
            Refusals.send(response, 421, "MisdirectedRequest", "this server answers to " + String.join(", ", hosts)
                    + " (pacer.server.hosts), not " + host);
            return;
        }
        chain.doFilter(request, response);
    }

    /** The name in a {@code Host} header, without its port: {@code 127.0.0.1}, {@code [::1]}, {@code localhost}. */
    static String host(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
