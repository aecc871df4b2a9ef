package dev.pacer.security;

import dev.pacer.provider.InvalidAccountException;
import dev.pacer.testkit.PacerEngine;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The administrator is what the environment says on every start, and demo/demo only in demo mode. */
class AdminAccountTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    @AfterEach
    void clean() {
        IdentityService identity = engine.getIdentityService();
        identity.createUserQuery().list().forEach(u -> identity.deleteUser(u.getId()));
    }

    @Test
    void shouldSetTheConfiguredPasswordOnAnAdministratorThatExists() {
        IdentityService identity = engine.getIdentityService();
        AdminAccount.of("ops", "first", false).apply(identity, engine.getAuthorizationService());
        assertThat(identity.checkPassword("ops", "first")).isTrue();
        AdminAccount.of("ops", "changed", false).apply(identity, engine.getAuthorizationService());
        assertThat(identity.checkPassword("ops", "changed")).as("PACER_ADMIN_PASSWORD changed since the database was made").isTrue();
        assertThat(identity.checkPassword("ops", "first")).isFalse();
        assertThat(identity.createUserQuery().memberOfGroup("camunda-admin").userId("ops").count()).isEqualTo(1);
    }

    @Test
    void shouldRemoveTheDemoLoginOutsideDemoMode() {
        IdentityService identity = engine.getIdentityService();
        User demo = identity.newUser("demo");
        demo.setPassword("demo");
        identity.saveUser(demo);
        AdminAccount.of("ops", "pw", false).apply(identity, engine.getAuthorizationService());
        assertThat(identity.createUserQuery().userId("demo").count()).isZero();
    }

    @Test
    void shouldRefuseToServeWithoutAPasswordUnlessInDemoMode() {
        assertThatThrownBy(() -> AdminAccount.of("admin", "", false)).isInstanceOf(InvalidAccountException.class)
                .hasMessageContaining("PACER_ADMIN_PASSWORD").hasMessageContaining("--demo");
        AdminAccount demo = AdminAccount.of("admin", null, true);
        assertThat(demo.user()).isEqualTo("demo");
        demo.apply(engine.getIdentityService(), engine.getAuthorizationService());
        assertThat(engine.getIdentityService().checkPassword("demo", "demo")).isTrue();
    }
}
