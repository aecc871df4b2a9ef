package dev.pacer.system;

import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.ExecutorType;
import org.apache.ibatis.session.defaults.DefaultSqlSessionFactory;
import org.camunda.bpm.engine.spring.SpringProcessEngineConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's configuration as Camunda's Spring Boot starter makes it, but for its MyBatis
 * mappings: it takes those {@link EarlyMappings} parsed while Spring started, when they were
 * parsed for the database the engine found (its type and tables' prefix); otherwise it parses
 * them itself, as Camunda does.
 */
class PacerEngineConfiguration extends SpringProcessEngineConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PacerEngineConfiguration.class);

    @Override
    protected void initSqlSessionFactory() {
        if (sqlSessionFactory == null && !isUseSharedSqlSessionFactory) {
            Configuration early = EarlyMappings.take(new EarlyMappings.Key(databaseType, databaseTablePrefix));
            if (early != null) {
                // what Camunda sets around its own parse
                early.setEnvironment(new Environment("default", transactionFactory, dataSource));
                early.setDefaultStatementTimeout(jdbcStatementTimeout);
                if (isJdbcBatchProcessing()) {
                    early.setDefaultExecutorType(ExecutorType.BATCH);
                }
                sqlSessionFactory = new DefaultSqlSessionFactory(early);
                log.debug("the engine takes the mappings parsed while Spring started");
            }
        }
        super.initSqlSessionFactory();
    }
}
