package dev.mmict.ops.sweep;

import com.google.protobuf.Message;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a pool connection between the sweep and a pool worker: {@link PoolWire} lines over a
 * TCP socket, both ways. Each side sends a heartbeat every {@link #HEARTBEAT} and gives the other
 * up after {@link #SILENCE} without a line (a read then throws {@link SocketTimeoutException}), so
 * a peer whose machine vanished without closing the connection is noticed. Sending is thread-safe;
 * reading is for one thread.
 */
public final class PoolLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PoolLink.class);

    /** How often each side says it is alive. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);

    /** How long a side waits for a line from the other before it gives the other up. */
    public static final Duration SILENCE = Duration.ofSeconds(45);

    /** One daemon thread sends the heartbeats of every link of this JVM. */
    private static final ScheduledExecutorService BEATS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pool-heartbeats");
        t.setDaemon(true);
        return t;
    });

    private final Socket socket;
    private final BufferedReader in;
    private final BufferedWriter out;
    private final String peer;
    private ScheduledFuture<?> beating;

    /** Wraps a connected socket; reads time out after {@link #SILENCE}. */
    PoolLink(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) SILENCE.toMillis());
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
        this.peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    }

    /**
     * Connects to the sweep's pool at {@code endpoint}, trying again every second for up to
     * {@code patience} (a worker may be started before the sweep listens).
     *
     * @throws IOException the last failure when no connection was made within {@code patience}
     */
    public static PoolLink connect(InetSocketAddress endpoint, Duration patience)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(endpoint.getHostString(), endpoint.getPort()), 10_000);
                return new PoolLink(socket);
            } catch (IOException e) {
                socket.close();
                if (System.nanoTime() >= deadline) {
                    throw new IOException("could not connect to the sweep's pool at " + endpoint.getHostString() + ":"
                            + endpoint.getPort() + " within " + patience.toSeconds() + " s: " + e.getMessage(), e);
                }
                LOG.debug("pool at {} not reachable yet ({}); trying again", endpoint, e.toString());
                Thread.sleep(1000);
            }
        }
    }

    /**
     * {@code HOST:PORT} as an address (not resolved yet).
     *
     * @param what names the value in the error, e.g. {@code "--pool-join"}
     * @throws IllegalArgumentException a value without a host, or whose port is not in 0..65535
     */
    public static InetSocketAddress endpoint(String hostPort, String what) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException(what + " '" + hostPort + "' is not HOST:PORT");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + hostPort + "': the port is not a number", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " '" + hostPort + "': the port must be in 0..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Sends {@code heartbeat} every {@link #HEARTBEAT} until this link closes. */
    void beat(Message heartbeat) {
        beating = BEATS.scheduleWithFixedDelay(() -> {
            try {
                send(heartbeat);
            } catch (IOException e) {
                LOG.debug("heartbeat to {} not sent: {}", peer, e.toString());
            }
        }, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends {@code message} as one line. */
    void send(Message message) throws IOException {
        synchronized (out) {
            out.write(PoolWire.line(message));
            out.newLine();
            out.flush();
        }
    }

    /**
     * The next line from the other side; null once it closed the connection.
     *
     * @throws SocketTimeoutException nothing came for {@link #SILENCE}
     */
    String readLine() throws IOException {
        return in.readLine();
    }

    /** The other side's address and port, for logs. */
    String peer() {
        return peer;
    }

    /** Sends nothing more (the other side reads the end after what was sent); reading goes on. */
    void finishSending() {
        if (beating != null) {
            beating.cancel(false);
        }
        try {
            synchronized (out) {
                out.flush();
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            LOG.debug("ending the output to {}: {}", peer, e.toString());
        }
    }

    /** Stops the heartbeats and closes the connection. */
    @Override
    public void close() {
        if (beating != null) {
            beating.cancel(false);
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the link to {}: {}", peer, e.toString());
        }
    }
}
