package dev.amqptasks.workerapp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * A TCP proxy on an ephemeral port of {@code 127.0.0.1} in front of one server, which a
 * test can {@link #cut()} (every connection is closed and new ones are closed as soon as
 * they are accepted), {@link #stall()} (requests still reach the server, its replies are
 * dropped), {@link #freeze()} (no byte passes either way, every socket stays open) and
 * {@link #restore()}. It uses at most {@code 1 + 2 * maxConnections} threads: connections
 * beyond the limit are closed at once.
 */
final class TcpProxy implements AutoCloseable {

	private final InetSocketAddress target;

	private final ServerSocket server;

	private final ExecutorService threads;

	private final Semaphore connectionSlots;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger refused = new AtomicInteger();

	private volatile boolean cut;

	private volatile boolean stalled;

	private volatile boolean frozen;

	/**
	 * Frozen pumps wait on it until {@link #restore()}, {@link #cut()} or
	 * {@link #close()}.
	 */
	private final Object thaw = new Object();

	private volatile boolean closed;

	private TcpProxy(InetSocketAddress target, int maxConnections) throws IOException {
		this.target = target;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.threads = Executors.newFixedThreadPool(1 + 2 * maxConnections,
				new CustomizableThreadFactory("tcp-proxy-" + this.server.getLocalPort() + "-"));
		this.connectionSlots = new Semaphore(maxConnections);
		this.threads.execute(this::accept);
	}

	/**
	 * Starts a proxy.
	 * @param host the server's host
	 * @param port the server's port
	 * @param maxConnections how many connections it carries at once
	 * @return the proxy, accepting connections
	 * @throws IOException if it cannot listen
	 */
	static TcpProxy start(String host, int port, int maxConnections) throws IOException {
		return new TcpProxy(new InetSocketAddress(host, port), maxConnections);
	}

	/**
	 * The port clients connect to.
	 * @return the port on {@code 127.0.0.1}
	 */
	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * How many connections were accepted (and carried) so far.
	 * @return the count
	 */
	int accepted() {
		return this.accepted.get();
	}

	/**
	 * How many connections were closed as soon as they were accepted (while cut, or
	 * beyond the limit): a client's attempts to reconnect show here.
	 * @return the count
	 */
	int refused() {
		return this.refused.get();
	}

	/**
	 * Closes every connection (a frozen proxy thaws: nothing is held any more); until
	 * {@link #restore()}, new connections are closed as soon as they are accepted.
	 */
	void cut() {
		this.cut = true;
		wakeFrozenPumps();
		closeAll();
	}

	/**
	 * Keeps the connections open and passes what clients send on, but drops every byte
	 * the server sends back: a request runs on the server and its reply is lost.
	 */
	void stall() {
		this.stalled = true;
	}

	/**
	 * Keeps every connection open but lets no byte through in either direction, as a
	 * network that silently stops delivering packets: the pumps stop reading (so the
	 * peers' writes back up), and what they had read is held, not dropped. New
	 * connections are accepted but frozen too. {@link #restore()} passes the held bytes
	 * on and carries everything again.
	 */
	void freeze() {
		this.frozen = true;
	}

	/**
	 * Carries new connections, and replies, again; a frozen proxy passes on what it held.
	 */
	void restore() {
		this.cut = false;
		this.stalled = false;
		wakeFrozenPumps();
	}

	@Override
	public void close() throws InterruptedException {
		this.closed = true;
		wakeFrozenPumps();
		closeQuietly(this.server);
		closeAll();
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
	}

	private void accept() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				// Closed: the proxy stops.
				return;
			}
			if (this.cut || !this.connectionSlots.tryAcquire()) {
				closeQuietly(client);
				this.refused.incrementAndGet();
				continue;
			}
			try {
				Socket upstream = new Socket();
				upstream.connect(this.target, 2000);
				this.sockets.add(client);
				this.sockets.add(upstream);
				this.accepted.incrementAndGet();
				Connection connection = new Connection(client, upstream);
				this.threads.execute(() -> connection.pump(client, upstream, false));
				this.threads.execute(() -> connection.pump(upstream, client, true));
				if (this.cut) {
					// Cut while connecting: the pumps end at once.
					connection.close();
				}
			}
			catch (IOException | RejectedExecutionException ex) {
				closeQuietly(client);
				this.connectionSlots.release();
			}
		}
	}

	private void wakeFrozenPumps() {
		synchronized (this.thaw) {
			this.frozen = false;
			this.thaw.notifyAll();
		}
	}

	/**
	 * Waits while the proxy is frozen.
	 * @return whether the pump may go on (false once the proxy is cut or closed)
	 */
	private boolean awaitThawed() throws InterruptedException {
		synchronized (this.thaw) {
			while (this.frozen && !this.cut && !this.closed) {
				this.thaw.wait();
			}
		}
		return !this.cut && !this.closed;
	}

	private void closeAll() {
		this.sockets.forEach(TcpProxy::closeQuietly);
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// Closing anyway.
		}
	}

	/**
	 * Both sockets of one proxied connection; when either direction ends, both close and
	 * the slot is freed once.
	 */
	private final class Connection {

		private final Socket client;

		private final Socket upstream;

		private final AtomicInteger pumps = new AtomicInteger(2);

		Connection(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

		void pump(Socket from, Socket to, boolean replies) {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream()) {
				OutputStream out = to.getOutputStream();
				int read;
				while (awaitThawed() && (read = in.read(buffer)) != -1) {
					// Read just before a freeze: held until the proxy thaws.
					if (awaitThawed() && !(replies && TcpProxy.this.stalled)) {
						out.write(buffer, 0, read);
						out.flush();
					}
				}
			}
			catch (SocketException ex) {
				// Closed by the other direction, by a cut or by a peer.
			}
			catch (IOException ex) {
				// A broken connection ends like a closed one.
			}
			catch (InterruptedException ex) {
				// The proxy is closing.
				Thread.currentThread().interrupt();
			}
			finally {
				close();
				if (this.pumps.decrementAndGet() == 0) {
					TcpProxy.this.sockets.remove(this.client);
					TcpProxy.this.sockets.remove(this.upstream);
					TcpProxy.this.connectionSlots.release();
				}
			}
		}

		void close() {
			closeQuietly(this.client);
			closeQuietly(this.upstream);
		}

	}

}
