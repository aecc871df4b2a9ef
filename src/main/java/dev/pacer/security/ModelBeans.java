package dev.pacer.security;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.spring.SpringProcessEngineConfiguration;
import org.springframework.beans.factory.BeanFactory;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The beans a model's expressions can reach: the ones the models name, nothing else of the
 * application (not its settings, which hold credentials). Looked up when an expression is
 * evaluated, so the engine does not wait for the delegates it is itself a dependency of.
 */
public final class ModelBeans extends AbstractMap<Object, Object> {

    private final BeanFactory beans;
    private final Set<String> names;

    public ModelBeans(BeanFactory beans, Set<String> names) {
        this.beans = beans;
        this.names = Set.copyOf(names);
    }

    @Override
    public boolean containsKey(Object key) {
        return names.contains(key);
    }

    @Override
    public Object get(Object key) {
        return names.contains(key) ? beans.getBean((String) key) : null;
    }

    @Override
    public Set<Entry<Object, Object>> entrySet() {
        return names.stream().map(n -> Map.<Object, Object>entry(n, beans.getBean(n))).collect(Collectors.toSet());
    }

    /** The engine plugin that gives the models these beans only. */
    public static AbstractProcessEnginePlugin plugin(BeanFactory beans, Set<String> names) {
        return new AbstractProcessEnginePlugin() {
            @Override
            public void preInit(ProcessEngineConfigurationImpl configuration) {
                if (configuration instanceof SpringProcessEngineConfiguration spring) {
                    spring.setBeans(new ModelBeans(beans, names));
                }
            }
        };
    }
}
