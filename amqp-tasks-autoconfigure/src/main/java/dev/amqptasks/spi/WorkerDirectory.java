package dev.amqptasks.spi;

import java.time.Duration;
import java.util.List;

/**
 * Where workers say they are alive: each worker records itself whenever its beacon comes
 * back, and an entry that is not refreshed disappears. Backs {@code GET /@amqp-workers}.
 */
public interface WorkerDirectory {

	/**
	 * Records a worker as seen now.
	 * @param worker what the worker reports about itself
	 * @param ttl how long the entry lives without another report
	 */
	void report(WorkerStatus worker, Duration ttl);

	/**
	 * Removes a worker that stops.
	 * @param workerId the worker's id
	 */
	void remove(String workerId);

	/**
	 * The workers whose entries are alive, most recently seen first.
	 * @return the workers
	 */
	List<WorkerStatus> list();

}
