package dev.pacer.audit;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.HistoryLevel;
import org.camunda.bpm.engine.impl.history.HistoryLevelAudit;
import org.camunda.bpm.engine.impl.history.event.HistoryEventType;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.impl.history.event.HistoricVariableUpdateEventEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Camunda's history level {@code trail}: what {@code audit} keeps (activity instances and each
 * variable's last value), plus every value ever set of the few variables that make up a message's
 * trail ({@code ACT_HI_DETAIL}): {@code attempt}, one record per send attempt, and
 * {@code waitReason}, set before each wait that is not the plain pace. Gateways get no activity
 * instance rows: they decide nothing the variables and the next activity do not already show,
 * and they were most of the rows a message wrote.
 *
 * <p>Chosen with {@code camunda.bpm.history-level: trail}; {@link Plugin} registers it.
 */
public class TrailHistoryLevel extends HistoryLevelAudit {

    public static final String NAME = "trail";
    /** The variables whose every update is kept. */
    public static final Set<String> DETAILED = Set.of("attempt", "waitReason", "lastControl");

    @Override
    public int getId() {
        return 20;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean isHistoryEventProduced(HistoryEventType eventType, Object entity) {
        if (eventType == HistoryEventTypes.VARIABLE_INSTANCE_UPDATE_DETAIL) {
            return entity == null || (entity instanceof HistoricVariableUpdateEventEntity update && DETAILED.contains(update.getVariableName()));
        }
        if ((eventType == HistoryEventTypes.ACTIVITY_INSTANCE_START || eventType == HistoryEventTypes.ACTIVITY_INSTANCE_END)
                && entity instanceof ExecutionEntity execution && isGateway(execution)) {
            return false;
        }
        return super.isHistoryEventProduced(eventType, entity);
    }

    private static boolean isGateway(ExecutionEntity execution) {
        ActivityImpl activity = execution.getActivity();
        Object type = activity == null ? null : activity.getProperty("type");
        return type instanceof String t && t.endsWith("Gateway");
    }

    /** Registers the level with an engine; Spring Boot applies it as a plugin bean. */
    public static class Plugin extends AbstractProcessEnginePlugin {
        @Override
        public void preInit(ProcessEngineConfigurationImpl configuration) {
            List<HistoryLevel> levels = configuration.getCustomHistoryLevels() == null
                    ? new ArrayList<>() : new ArrayList<>(configuration.getCustomHistoryLevels());
            levels.add(new TrailHistoryLevel());
            configuration.setCustomHistoryLevels(levels);
        }
    }
}
