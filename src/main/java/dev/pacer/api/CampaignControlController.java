package dev.pacer.api;

import dev.pacer.campaign.CampaignControl;
import dev.pacer.campaign.ControlRequests;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import dev.pacer.security.BasicAuthenticationFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pause, resume and cancel a running campaign by name or instance id:
 * {@code POST /api/campaigns/NAME/pause} (an optional JSON body {@code {"reason": "..."}}),
 * {@code .../resume}, {@code .../cancel}. The request is recorded ({@link ControlRequests}) and
 * answered {@code 202 Accepted} at once, however busy the campaign is: it never contends with the
 * campaign's own jobs. This node stops starting the campaign's sends at once on a pause or cancel;
 * the campaign applies the request in its next dispatch run, woken now when it sleeps, within a
 * second when it is sending.
 */
@RestController
@RequestMapping("/api/campaigns")
public class CampaignControlController {

    private static final Logger log = LoggerFactory.getLogger(CampaignControlController.class);

    /** A request's optional body. */
    public record Reason(String reason) {
    }

    private final RuntimeService runtime;
    private final ManagementService management;
    private final IdentityService identity;
    private final AuthorizationService authorizations;
    private final ControlRequests requests;
    private final CampaignControl control;

    public CampaignControlController(RuntimeService runtime, ManagementService management, IdentityService identity,
                                     AuthorizationService authorizations, ControlRequests requests, CampaignControl control) {
        this.runtime = runtime;
        this.management = management;
        this.identity = identity;
        this.authorizations = authorizations;
        this.requests = requests;
        this.control = control;
    }

    @PostMapping(value = "/{campaign}/{action}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> control(@PathVariable String campaign, @PathVariable String action,
                                                       @RequestBody(required = false) Reason body, HttpServletRequest request) {
        ControlRequests.Action asked = ControlRequests.Action.named(action).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no action " + action + ": pause, resume or cancel"));
        ProcessInstance instance = running(campaign);
        String user = (String) request.getAttribute(BasicAuthenticationFilter.USER);
        if (user != null && !mayUpdate(user, instance.getId())) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, user + " may not update campaign " + campaign
                    + " (it needs UPDATE on the process instance, or UPDATE_INSTANCE on the definition " + Processes.CAMPAIGN + ")");
        }
        ControlRequests.Request recorded = requests.request(instance.getId(), asked, body == null ? null : body.reason(), user == null ? "api" : user);
        if (asked != ControlRequests.Action.RESUME) {
            // this node starts none of its sends from now on; the others once the campaign applied it
            control.learn(instance.getId(), asked == ControlRequests.Action.PAUSE ? CampaignState.PAUSED : CampaignState.CANCELLED);
        }
        // a campaign waiting for its messages, or paused, applies it at once
        control.wakeDispatch(management, instance.getId());
        log.info("campaign {} ({}): {} requested by {}{}", instance.getBusinessKey(), instance.getId(), action, recorded.by(),
                recorded.reason() == null ? "" : ": " + recorded.reason());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("campaign", instance.getBusinessKey());
        answer.put("instance", instance.getId());
        answer.put("requested", asked.name().toLowerCase(java.util.Locale.ROOT));
        answer.put("request", recorded.number());
        answer.put("at", recorded.at().toString());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(answer);
    }

    /** The running campaign named {@code nameOrId}, or with that instance id. */
    private ProcessInstance running(String nameOrId) {
        List<ProcessInstance> byName = runtime.createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN)
                .processInstanceBusinessKey(nameOrId).list();
        if (byName.size() > 1) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, byName.size() + " running campaigns are named " + nameOrId
                    + ": name one by its instance id (" + byName.stream().map(ProcessInstance::getId).toList() + ")");
        }
        if (byName.size() == 1) {
            return byName.get(0);
        }
        ProcessInstance byId = runtime.createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN).processInstanceId(nameOrId)
                .singleResult();
        if (byId == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no running campaign named " + nameOrId + " (nor with that instance id)");
        }
        return byId;
    }

    private boolean mayUpdate(String user, String instanceId) {
        List<String> groups = identity.createGroupQuery().groupMember(user).list().stream().map(Group::getId).toList();
        return authorizations.isUserAuthorized(user, groups, Permissions.UPDATE, Resources.PROCESS_INSTANCE, instanceId)
                || authorizations.isUserAuthorized(user, groups, ProcessDefinitionPermissions.UPDATE_INSTANCE, Resources.PROCESS_DEFINITION,
                Processes.CAMPAIGN);
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, String>> refused(ResponseStatusException e) {
        return ResponseEntity.status(e.getStatusCode()).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", String.valueOf(e.getReason())));
    }
}
