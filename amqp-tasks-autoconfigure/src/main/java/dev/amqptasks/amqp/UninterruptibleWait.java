package dev.amqptasks.amqp;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for what was already handed to the broker or the registry: an interrupt must not
 * make a caller believe that a task which was stored and published was not, so the wait
 * goes on to its deadline and the interrupt is restored afterwards.
 */
public final class UninterruptibleWait {

	private UninterruptibleWait() {
	}

	/**
	 * Waits for a future until a deadline, through interrupts, and restores the thread's
	 * interrupt status before returning or throwing.
	 * @param <T> the result type
	 * @param future the future
	 * @param deadlineNanos the deadline on the {@link System#nanoTime()} scale
	 * @return the result
	 * @throws ExecutionException if the future failed
	 * @throws TimeoutException if the deadline passed first
	 */
	public static <T> T until(Future<T> future, long deadlineNanos) throws ExecutionException, TimeoutException {
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
