package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.ExchangeHello;
import dev.mmict.protocol.v1.ExchangeHelloReply;
import dev.mmict.protocol.v1.GradientChunk;
import dev.mmict.protocol.v1.ProtocolVersion;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane over TCP: one connection per ordered pair of ranks (a full mesh, opened once per
 * membership), carrying length-delimited protobuf frames. A connection starts with {@link
 * ExchangeHello} / {@link ExchangeHelloReply}; then the connecting rank sends {@link
 * GradientChunk}s one way.
 *
 * <p>Buffers: frames live in pooled direct buffers, so the bytes are copied only by the kernel.
 * {@link #send(int, OutgoingChunk, Duration)} encodes the payload straight into a frame buffer;
 * a writer writes it with one channel write and takes the buffer back. A reader reads each frame
 * whole into a buffer of its own and parses the header in place: the received chunk's payload is
 * a view of that buffer, which goes back to the pool when the caller {@link #release}s the chunk.
 *
 * <p>Threads: per outgoing link a writer thread drains a queue of at most {@value
 * #SEND_QUEUE_FRAMES} frames into the channel (so {@link #send} never blocks past its timeout,
 * even if the peer stops reading); per incoming link a reader thread parses frames into an
 * unbounded queue (bounded in practice by the ring, which never has more than the vector in
 * flight). Those threads block on their channels and end when {@link #close} closes them. Callers
 * only ever wait with a timeout.
 */
public final class TcpTransport implements Transport {

  /** Frames longer than this are refused as garbled (64 MiB, far above any sane chunk). */
  public static final int MAX_FRAME_BYTES = 64 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
  private static final int SEND_QUEUE_FRAMES = 8;
  /** Idle frame buffers kept per transport (beyond what a ring step needs, they are dropped). */
  private static final int POOL_IDLE_FRAMES = 64;
  /** Hello and reply frames are tiny; anything longer is garbage. */
  private static final int MAX_HELLO_BYTES = 4096;
  /** How long {@link #close} lets writers put already queued chunks on the wire. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
  /** Queued after the last frame by {@link #close}: the writer ends the stream and stops. */
  private static final ByteBuffer END_OF_STREAM = ByteBuffer.allocate(0);

  private final int rank;
  private final int worldSize;
  private final Outgoing[] outgoing;
  private final Incoming[] incoming;
  private final BufferPool pool = new BufferPool(POOL_IDLE_FRAMES);
  // Received chunks handed to the caller and not released yet, with the buffers they view.
  private final Map<GradientChunk, ByteBuffer> lent = new IdentityHashMap<>();
  private volatile boolean closed;
  // How often a waiting accept checks whether open() has given up.
  private static final int ACCEPT_SLICE_MILLIS = 100;

  private TcpTransport(int rank, int worldSize) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.outgoing = new Outgoing[worldSize];
    this.incoming = new Incoming[worldSize];
  }

  /**
   * A listening socket on {@code address} (port 0 picks a free one) for {@link #open}: backed by
   * a {@link ServerSocketChannel}, so accepted connections are channels.
   */
  public static ServerSocket listen(InetSocketAddress address) throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    try {
      ServerSocket listener = channel.socket();
      listener.setReuseAddress(true);
      listener.bind(address);
      return listener;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Connects rank {@code rank} to every other rank: accepts their connections on {@code listener}
   * (which the caller keeps and closes) and connects to {@code peers.get(j)} for every {@code j !=
   * rank}. Gives up after {@code timeout}, naming the ranks still missing.
   *
   * @param first the first step and attempt (plan) the connections serve; every rank must pass the
   *     same, and a connection announcing another is refused (a stale one from an aborted attempt)
   */
  public static TcpTransport open(
      ServerSocket listener, int rank, List<InetSocketAddress> peers, ExchangeRound first, Duration timeout)
      throws IOException, InterruptedException {
    int n = peers.size();
    if (rank < 0 || rank >= n) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + n + ")");
    }
    if (listener.getChannel() == null) {
      throw new IllegalArgumentException("the data-plane listener on " + listener.getLocalSocketAddress()
          + " has no channel: create it with TcpTransport.listen");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    TcpTransport transport = new TcpTransport(rank, n);
    ExchangeHello hello =
        ExchangeHello.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setRank(rank)
            .setWorldSize(n)
            .setStep(first.step())
            .setPlanId(first.planId())
            .build();
    CompletableFuture<Void> accepted =
        CompletableFuture.runAsync(() -> transport.acceptAll(listener, hello, deadline), command -> {
          Thread t = new Thread(command, "mmict-exchange-r" + rank + "-accept");
          t.setDaemon(true);
          t.start();
        });
    try {
      for (int peer = 0; peer < n; peer++) {
        if (peer != rank) {
          transport.outgoing[peer] = transport.connect(peer, peers.get(peer), hello, deadline);
        }
      }
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        accepted.get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new IOException(
            "rank " + rank + ": no data-plane connection from ranks " + transport.missingIncoming()
                + " within " + timeout);
      } catch (ExecutionException e) {
        throw new IOException("rank " + rank + ": accepting data-plane connections failed: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      accepted.cancel(true);
      transport.close();
      throw e;
    }
    for (Outgoing out : transport.outgoing) {
      if (out != null) {
        out.start();
      }
    }
    for (Incoming in : transport.incoming) {
      if (in != null) {
        in.start();
      }
    }
    return transport;
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return worldSize;
  }

  @Override
  public void send(int toRank, GradientChunk chunk, Duration timeout) throws IOException {
    Outgoing out = outgoing[checkPeer(toRank)];
    ByteBuffer frame = out.takeFrame(FrameIO.frameCapacity(chunk), timeout);
    out.queue(frame, () -> FrameIO.writeFrame(chunk, frame));
  }

  @Override
  public void send(int toRank, OutgoingChunk chunk, Duration timeout) throws IOException {
    Outgoing out = outgoing[checkPeer(toRank)];
    ByteBuffer frame = out.takeFrame(FrameIO.frameCapacity(chunk), timeout);
    out.queue(frame, () -> FrameIO.writeFrame(chunk, frame));
  }

  @Override
  public Optional<GradientChunk> receive(int fromRank, Duration timeout)
      throws IOException, InterruptedException {
    Incoming in = incoming[checkPeer(fromRank)];
    if (closed) {
      throw new IOException("transport of rank " + rank + " is closed");
    }
    Inbound item = in.queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (item == null) {
      return Optional.empty();
    }
    if (item.failure() != null) {
      in.queue.offer(item); // the reader has stopped: every later receive fails the same way
      throw new IOException("link from rank " + fromRank + " to rank " + rank + " failed: "
          + item.failure().getMessage(), item.failure());
    }
    synchronized (lent) {
      lent.put(item.chunk(), item.frame());
    }
    return Optional.of(item.chunk());
  }

  /** Returns the buffer the chunk's payload views to the pool; the chunk must not be read after. */
  @Override
  public void release(GradientChunk chunk) {
    ByteBuffer frame;
    synchronized (lent) {
      frame = lent.remove(chunk);
    }
    if (frame != null) {
      pool.release(frame);
    }
  }

  /** The frame buffers of this transport (for tests: that aborted rounds do not leak them). */
  BufferPool pool() {
    return pool;
  }

  /**
   * Closes every link. Chunks already queued still go out first (a rank's last sends are queued
   * when its all-reduce returns), for at most a short grace period; then the sockets close.
   */
  @Override
  public void close() {
    closed = true;
    long graceDeadline = System.nanoTime() + CLOSE_GRACE.toNanos();
    for (Outgoing out : outgoing) {
      if (out != null) {
        out.finish(graceDeadline);
      }
    }
    for (Outgoing out : outgoing) {
      if (out != null) {
        out.close();
      }
    }
    for (Incoming in : incoming) {
      if (in != null) {
        in.close();
      }
    }
  }

  private int checkPeer(int peer) {
    if (peer < 0 || peer >= worldSize || peer == rank) {
      throw new IllegalArgumentException("rank " + rank + " has no link to rank " + peer + " (world size " + worldSize + ")");
    }
    return peer;
  }

  private synchronized List<Integer> missingIncoming() {
    List<Integer> missing = new ArrayList<>();
    for (int peer = 0; peer < worldSize; peer++) {
      if (peer != rank && incoming[peer] == null) {
        missing.add(peer);
      }
    }
    return missing;
  }

  private Outgoing connect(int peer, InetSocketAddress address, ExchangeHello hello, long deadline)
      throws IOException, InterruptedException {
    IOException last = null;
    // Bounded by the deadline: a peer may not be listening yet, so refused connects are retried.
    while (System.nanoTime() < deadline) {
      SocketChannel channel = SocketChannel.open();
      Socket socket = channel.socket();
      try {
        socket.setTcpNoDelay(true);
        socket.connect(address, remainingMillis(deadline));
        socket.setSoTimeout(remainingMillis(deadline));
        // Unbuffered streams over the channel: the hello and its reply are single small frames,
        // and nothing may be read ahead of the frames the channel carries afterwards.
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        hello.writeDelimitedTo(out);
        Optional<byte[]> replyFrame = FrameIO.readFrame(in, MAX_HELLO_BYTES);
        if (replyFrame.isEmpty()) {
          throw new IOException("rank " + peer + " at " + address + " closed the connection during the hello");
        }
        ExchangeHelloReply reply = ExchangeHelloReply.parseFrom(replyFrame.get());
        if (!reply.getAccepted()) {
          channel.close();
          throw new RefusedException("rank " + peer + " at " + address + " refused rank " + rank + ": " + reply.getReason());
        }
        if (reply.getRank() != peer) {
          channel.close();
          throw new RefusedException("the worker at " + address + " is rank " + reply.getRank() + ", expected rank " + peer);
        }
        socket.setSoTimeout(0); // from now on, only close() ends the writer's blocking writes
        return new Outgoing(peer, channel);
      } catch (ConnectException | SocketTimeoutException e) {
        channel.close();
        last = e;
        Thread.sleep(Math.min(20, Math.max(1, remainingMillis(deadline))));
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
    throw new IOException("rank " + rank + " could not connect to rank " + peer + " at " + address + " in time"
        + (last != null ? ": " + last.getMessage() : ""), last);
  }

  private void acceptAll(ServerSocket listener, ExchangeHello own, long deadline) {
    try {
      // closed: open() gave up (timeout, interrupt: an aborted attempt). Stop accepting within a
      // slice, or this attempt would take (and refuse) the connections of the next one.
      while (!closed && !missingIncoming().isEmpty()) {
        if (System.nanoTime() >= deadline) {
          throw new SocketTimeoutException("accept deadline passed");
        }
        listener.setSoTimeout(Math.min(ACCEPT_SLICE_MILLIS, remainingMillis(deadline)));
        Socket socket;
        try {
          socket = listener.accept();
        } catch (SocketTimeoutException slice) {
          continue;
        }
        try {
          acceptOne(socket, own, deadline);
        } catch (IOException e) {
          // A stranger or a stale worker must not break this membership's setup: log, go on.
          LOG.warn("rank {}: refused a data-plane connection from {}: {}", rank, socket.getRemoteSocketAddress(), e.getMessage());
          socket.close();
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void acceptOne(Socket socket, ExchangeHello own, long deadline) throws IOException {
    SocketChannel channel = socket.getChannel(); // the listener is a channel's (checked in open)
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(remainingMillis(deadline));
    InputStream in = socket.getInputStream(); // unbuffered: the frames that follow stay unread
    OutputStream out = socket.getOutputStream();
    Optional<byte[]> helloFrame = FrameIO.readFrame(in, MAX_HELLO_BYTES);
    if (helloFrame.isEmpty()) {
      throw new IOException("connection closed before its hello");
    }
    ExchangeHello hello = ExchangeHello.parseFrom(helloFrame.get());
    String refusal = refusal(hello, own);
    ExchangeHelloReply.Builder reply = ExchangeHelloReply.newBuilder().setRank(rank);
    if (refusal != null) {
      reply.setAccepted(false).setReason(refusal).build().writeDelimitedTo(out);
      throw new IOException(refusal);
    }
    synchronized (this) {
      incoming[hello.getRank()] = new Incoming(hello.getRank(), channel);
    }
    reply.setAccepted(true).build().writeDelimitedTo(out);
    socket.setSoTimeout(0); // the reader blocks until a frame or close(); receive() is timed
  }

  private synchronized String refusal(ExchangeHello hello, ExchangeHello own) {
    if (hello.getProtocolVersion() != own.getProtocolVersion()) {
      return "protocol version " + hello.getProtocolVersion() + ", this worker speaks " + own.getProtocolVersion();
    }
    if (hello.getWorldSize() != worldSize) {
      return "world size " + hello.getWorldSize() + ", this worker's ring has " + worldSize;
    }
    if (hello.getStep() != own.getStep()) {
      return "step " + hello.getStep() + ", this worker is at step " + own.getStep();
    }
    if (hello.getPlanId() != own.getPlanId()) {
      return "plan " + hello.getPlanId() + " of step " + hello.getStep() + ", this worker's ring serves plan "
          + own.getPlanId() + " (a connection of another attempt)";
    }
    if (hello.getRank() >= worldSize || hello.getRank() == rank) {
      return "rank " + hello.getRank() + " is not a peer of rank " + rank;
    }
    if (incoming[hello.getRank()] != null) {
      return "rank " + hello.getRank() + " is already connected";
    }
    return null;
  }

  private static int remainingMillis(long deadline) {
    long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
  }

  /** A refusal from the peer: retrying the connect cannot help. */
  private static final class RefusedException extends IOException {
    RefusedException(String message) {
      super(message);
    }
  }

  /** A received chunk and the pooled buffer its payload views, or the failure that stopped the link's reader. */
  private record Inbound(GradientChunk chunk, ByteBuffer frame, IOException failure) {}

  /** Writes a frame into a buffer (an encoding step that may fail). */
  @FunctionalInterface
  private interface FrameWriter {
    void write() throws IOException;
  }

  /** The link to one peer: a writer thread draining a queue of frames into the channel. */
  private final class Outgoing implements Closeable {
    private final int peer;
    private final SocketChannel channel;
    // One permit per frame that may be queued or in the writer's hands: the queue's bound.
    private final Semaphore frames = new Semaphore(SEND_QUEUE_FRAMES);
    private final BlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile IOException failure;

    Outgoing(int peer, SocketChannel channel) {
      this.peer = peer;
      this.channel = channel;
      this.writer = new Thread(this::writeLoop, "mmict-exchange-r" + rank + "-to-" + peer);
      writer.setDaemon(true);
    }

    void start() {
      writer.start();
    }

    /** A frame buffer of {@code capacity} bytes once the queue has room, within {@code timeout}. */
    ByteBuffer takeFrame(long capacity, Duration timeout) throws IOException {
      checkUp();
      if (capacity > MAX_FRAME_BYTES + FrameIO.MAX_PREFIX_BYTES) {
        throw new IOException("a frame of " + capacity + " bytes for rank " + peer + " exceeds the "
            + MAX_FRAME_BYTES + "-byte limit: use smaller chunks");
      }
      try {
        if (!frames.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
          throw new IOException("rank " + peer + " has not taken a chunk from rank " + rank + " for " + timeout);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while queueing a chunk for rank " + peer, e);
      }
      try {
        checkUp(); // the writer may have failed (and freed every permit) while this waited
        return pool.acquire((int) capacity);
      } catch (IOException | RuntimeException e) {
        frames.release();
        throw e;
      }
    }

    /** Fills {@code frame} (from {@link #takeFrame}) with {@code writer} and queues it. */
    void queue(ByteBuffer frame, FrameWriter fill) throws IOException {
      try {
        fill.write();
      } catch (IOException | RuntimeException e) {
        giveBack(frame);
        throw e;
      }
      queue.add(frame);
    }

    private void checkUp() throws IOException {
      IOException down = failure;
      if (closed || down != null) {
        throw new IOException("link from rank " + rank + " to rank " + peer + " is down"
            + (down != null ? ": " + down.getMessage() : " (transport closed)"), down);
      }
    }

    private void giveBack(ByteBuffer frame) {
      pool.release(frame);
      frames.release();
    }

    private void writeLoop() {
      try {
        while (true) {
          ByteBuffer frame = queue.take();
          if (frame == END_OF_STREAM) {
            channel.shutdownOutput(); // the reader sees a clean end of stream
            return;
          }
          while (frame.hasRemaining()) {
            channel.write(frame); // one call per frame unless the socket buffer fills up
          }
          giveBack(frame);
        }
      } catch (InterruptedException e) {
        // close() interrupts a writer that did not finish within the grace period
      } catch (IOException e) {
        if (!closed) {
          failure = e;
          LOG.warn("rank {}: data-plane link to rank {} failed: {}", rank, peer, e.getMessage());
          frames.release(SEND_QUEUE_FRAMES); // senders waiting for room see the failure at once
        }
      }
    }

    /** Lets the writer drain its queue until {@code deadline} (nanoTime), if it is running. */
    void finish(long deadline) {
      if (!writer.isAlive()) {
        return;
      }
      queue.add(END_OF_STREAM);
      try {
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (writer.isAlive()) {
        LOG.warn("rank {}: closing the link to rank {} with chunks still queued", rank, peer);
      }
    }

    @Override
    public void close() {
      writer.interrupt();
      try {
        channel.close(); // also unblocks a write stuck on a peer that stopped reading
      } catch (IOException e) {
        LOG.debug("rank {}: closing the link to rank {}: {}", rank, peer, e.getMessage());
      }
    }
  }

  /** The link from one peer: a reader thread parsing frames into a queue. */
  private final class Incoming implements Closeable {
    private final int peer;
    private final SocketChannel channel;
    private final BlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
    private final Thread reader;

    Incoming(int peer, SocketChannel channel) {
      this.peer = peer;
      this.channel = channel;
      this.reader = new Thread(this::readLoop, "mmict-exchange-r" + rank + "-from-" + peer);
      reader.setDaemon(true);
    }

    void start() {
      reader.start();
    }

    private void readLoop() {
      ChannelFrameReader frames = new ChannelFrameReader(channel, pool, MAX_FRAME_BYTES);
      try {
        while (true) {
          ByteBuffer frame = frames.next();
          if (frame == null) {
            queue.add(new Inbound(null, null, new IOException("rank " + peer + " closed the connection")));
            return;
          }
          GradientChunk chunk;
          try {
            chunk = FrameIO.parseChunk(frame);
          } catch (IOException | RuntimeException e) {
            pool.release(frame);
            throw new IOException("malformed gradient chunk frame of " + frame.limit() + " bytes: " + e.getMessage(), e);
          }
          queue.add(new Inbound(chunk, frame, null));
        }
      } catch (IOException e) {
        queue.add(new Inbound(null, null, closed ? new IOException("transport closed", e) : e));
      }
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("rank {}: closing the link from rank {}: {}", rank, peer, e.getMessage());
      }
    }
  }
}
