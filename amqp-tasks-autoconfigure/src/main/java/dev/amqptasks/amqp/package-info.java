/**
 * The broker side: the queue topology, the delay ladder, the task message and its
 * properties, publishing with confirms, queue depths and the template observation
 * convention. Internal.
 */
package dev.amqptasks.amqp;
