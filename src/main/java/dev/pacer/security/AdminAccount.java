package dev.pacer.security;

import dev.pacer.provider.InvalidAccountException;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;

/**
 * The administrator of a server ({@code PACER_ADMIN_USER}, {@code PACER_ADMIN_PASSWORD}), applied on
 * every start: created when missing, its password set to the configured one when it was changed,
 * a member of {@code camunda-admin} with every permission. The well-known {@code demo/demo} login
 * exists only in demo mode ({@code --demo}); outside it, a {@code demo} user whose password is still
 * {@code demo} is removed.
 */
public final class AdminAccount {

    public static final String DEMO = "demo";

    private final String user;
    private final String password;

    private AdminAccount(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /**
     * The administrator to apply: the configured one, or in demo mode {@code demo/demo}.
     *
     * @throws InvalidAccountException when no password is configured outside demo mode
     */
    public static AdminAccount of(String user, String password, boolean demo) {
        if (password == null || password.isBlank()) {
            if (demo) {
                return new AdminAccount(DEMO, DEMO);
            }
            throw new InvalidAccountException("no administrator password: set PACER_ADMIN_PASSWORD (and PACER_ADMIN_USER, "
                    + "default 'admin') for the REST API and Cockpit, or start with --demo for demo/demo on this machine only");
        }
        if (user == null || user.isBlank()) {
            throw new InvalidAccountException("PACER_ADMIN_USER is blank");
        }
        return new AdminAccount(user.trim(), password);
    }

    public String user() {
        return user;
    }

    /** Applies the administrator to the engine's identity and authorization services. */
    public void apply(IdentityService identity, AuthorizationService authorizations) {
        User existing = identity.createUserQuery().userId(user).singleResult();
        if (existing == null) {
            User u = identity.newUser(user);
            u.setPassword(password);
            identity.saveUser(u);
        } else if (!identity.checkPassword(user, password)) {
            // a failed check counts as a login attempt and so changes the user: read it again
            User changed = identity.createUserQuery().userId(user).singleResult();
            changed.setPassword(password);
            identity.saveUser(changed);
            // and the failed check holds it back for a while, as any failed login does
            identity.unlockUser(user);
        }
        if (identity.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).count() == 0) {
            Group g = identity.newGroup(Groups.CAMUNDA_ADMIN);
            g.setName("Camunda administrators");
            g.setType(Groups.GROUP_TYPE_SYSTEM);
            identity.saveGroup(g);
        }
        for (Resource resource : Resources.values()) {
            if (authorizations.createAuthorizationQuery().groupIdIn(Groups.CAMUNDA_ADMIN).resourceType(resource).resourceId(Authorization.ANY)
                    .count() == 0) {
                Authorization all = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
                all.setGroupId(Groups.CAMUNDA_ADMIN);
                all.setResource(resource);
                all.setResourceId(Authorization.ANY);
                all.addPermission(Permissions.ALL);
                authorizations.saveAuthorization(all);
            }
        }
        if (identity.createUserQuery().userId(user).memberOfGroup(Groups.CAMUNDA_ADMIN).count() == 0) {
            identity.createMembership(user, Groups.CAMUNDA_ADMIN);
        }
        if (!DEMO.equals(user) && identity.createUserQuery().userId(DEMO).count() > 0 && identity.checkPassword(DEMO, DEMO)) {
            identity.deleteUser(DEMO);
        }
    }
}
