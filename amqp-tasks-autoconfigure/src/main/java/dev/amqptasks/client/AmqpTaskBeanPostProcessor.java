package dev.amqptasks.client;

import java.lang.reflect.Method;
import java.util.Set;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.task.TaskArguments;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Registers every {@link AmqpTask} method of every bean in the {@link TaskCatalog} and
 * proxies the bean so that calling such a method enqueues it.
 */
public class AmqpTaskBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	private final TaskCatalog catalog;

	private BeanFactory beanFactory;

	/**
	 * Creates the post-processor. The enqueuing beans are looked up on first use, so that
	 * creating this early does not pull the broker and registry beans in before their
	 * time.
	 * @param catalog the catalog to fill
	 * @param enqueuer the enqueuer
	 * @param arguments the argument binder
	 * @param results the handles and futures handed to callers
	 */
	public AmqpTaskBeanPostProcessor(TaskCatalog catalog, ObjectProvider<TaskEnqueuer> enqueuer,
			ObjectProvider<TaskArguments> arguments, ObjectProvider<TaskResults> results) {
		this.catalog = catalog;
		this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, AmqpTask.class, true),
				new TaskMethodInterceptor(catalog, enqueuer, arguments, results));
		// Enqueue before any other advice runs; the worker's own call then passes through
		// the
		// other advice (transactions, for example) around the task's body.
		setBeforeExistingAdvisors(true);
		setProxyTargetClass(true);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		super.setBeanFactory(beanFactory);
		this.beanFactory = beanFactory;
	}

	private String resolvePlaceholders(String value) {
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable) {
			return configurable.resolveEmbeddedValue(value);
		}
		return value;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopProxyUtils.ultimateTargetClass(bean);
		Set<Method> methods = MethodIntrospector
			.selectMethods(targetClass,
					(MethodIntrospector.MetadataLookup<AmqpTask>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, AmqpTask.class))
			.keySet();
		for (Method method : methods) {
			this.catalog.register(
					TaskDefinition.of(method, () -> this.beanFactory.getBean(beanName), this::resolvePlaceholders));
		}
		return super.postProcessAfterInitialization(bean, beanName);
	}

}
