package dev.pacer.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Refuses deployments over the REST API: Pacer's models come from {@code bpmn/}, and a model is
 * code (its expressions run in the server), so a deployment over HTTP would let a REST login run
 * code as the server. {@code pacer.rest.deployments=true} lets them through (Modeler's "deploy").
 */
public class DeploymentRefusalFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if ("POST".equals(request.getMethod()) && request.getRequestURI().endsWith("/deployment/create")) {
            Refusals.send(response, HttpServletResponse.SC_FORBIDDEN, "AuthorizationException", "deployments over the REST API are off "
                    + "(models come from bpmn/; pacer.rest.deployments=true turns them on)");
            return;
        }
        chain.doFilter(request, response);
    }
}
