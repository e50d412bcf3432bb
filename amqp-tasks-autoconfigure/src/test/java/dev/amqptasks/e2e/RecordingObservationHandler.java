package dev.amqptasks.e2e;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.transport.Propagator;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;

/**
 * Records the observations of amqp-tasks and Spring AMQP, and carries an observation's id
 * across the broker the way a tracer carries its trace context: in a header written when
 * a message is published and read when it is received. Tests follow a task's trace with
 * it without a tracing library.
 */
class RecordingObservationHandler implements ObservationHandler<Observation.Context> {

	/** The header that carries the id of the publishing observation. */
	static final String HEADER = "x-test-observation-id";

	private static final String ID = RecordingObservationHandler.class.getName() + ".id";

	private static final String REMOTE_PARENT = RecordingObservationHandler.class.getName() + ".remoteParent";

	private final List<Observation.Context> recorded = new CopyOnWriteArrayList<>();

	@Override
	public boolean supportsContext(Observation.Context context) {
		return true;
	}

	@Override
	public void onStart(Observation.Context context) {
		String id = UUID.randomUUID().toString();
		context.put(ID, id);
		if (context instanceof SenderContext<?> sender) {
			inject(sender, id);
		}
		if (context instanceof ReceiverContext<?> receiver) {
			String remoteParent = extract(receiver);
			if (remoteParent != null) {
				context.put(REMOTE_PARENT, remoteParent);
			}
		}
		String name = context.getName();
		if (name != null
				&& (name.startsWith("amqp.tasks.") || name.startsWith("spring.rabbit.") || name.startsWith("test."))) {
			this.recorded.add(context);
		}
	}

	@SuppressWarnings("unchecked")
	private static <C> void inject(SenderContext<C> sender, String id) {
		Propagator.Setter<C> setter = sender.getSetter();
		if (sender.getCarrier() != null) {
			setter.set(sender.getCarrier(), HEADER, id);
		}
	}

	private static <C> String extract(ReceiverContext<C> receiver) {
		return (receiver.getCarrier() != null) ? receiver.getGetter().get(receiver.getCarrier(), HEADER) : null;
	}

	/**
	 * The first recorded observation that matches.
	 * @param predicate what to look for
	 * @return the observation's context
	 */
	Optional<Observation.Context> find(Predicate<Observation.Context> predicate) {
		return this.recorded.stream().filter(predicate).findFirst();
	}

	/**
	 * The parent of an observation: its parent in this process, otherwise the observation
	 * that published the message it received.
	 * @param context an observation's context
	 * @return the parent's context, if any
	 */
	Optional<Observation.Context> parentOf(Observation.Context context) {
		ObservationView parent = context.getParentObservation();
		if (parent != null) {
			return Optional.of((Observation.Context) parent.getContextView());
		}
		String remoteParent = context.get(REMOTE_PARENT);
		if (remoteParent == null) {
			return Optional.empty();
		}
		return find((candidate) -> remoteParent.equals(candidate.get(ID)));
	}

}
