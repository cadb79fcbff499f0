package dev.mmict.ops.sweep;

import com.google.protobuf.Message;
import dev.mmict.protocol.MalformedMessageException;
import dev.mmict.protocol.WireMessages;
import dev.mmict.protocol.v1.PoolCommand;
import dev.mmict.protocol.v1.PoolEvent;
import java.util.Base64;
import java.util.Optional;

/**
 * The framing of the pool protocol ({@code pool.proto}) on a pool worker's standard input and
 * output: one message a line, {@value #PREFIX} followed by the base64 of its protobuf bytes. Lines
 * without the prefix are not messages (a library that prints to standard output must not break the
 * protocol) and are skipped by the reader; a prefixed line that does not decode is an error naming
 * the line.
 */
public final class PoolWire {

    /** What starts every message line. */
    public static final String PREFIX = "@mmict-pool ";

    private PoolWire() {
    }

    /** {@code message} as one line, without the line break. */
    public static String line(Message message) {
        return PREFIX + Base64.getEncoder().encodeToString(message.toByteArray());
    }

    /**
     * The command on {@code line}; empty when the line carries no message.
     *
     * @throws MalformedMessageException a prefixed line that is not a command
     */
    public static Optional<PoolCommand> command(String line) {
        return decode(line).map(bytes -> WireMessages.parse(PoolCommand.getDefaultInstance(), bytes));
    }

    /**
     * The event on {@code line}; empty when the line carries no message.
     *
     * @throws MalformedMessageException a prefixed line that is not an event
     */
    public static Optional<PoolEvent> event(String line) {
        return decode(line).map(bytes -> WireMessages.parse(PoolEvent.getDefaultInstance(), bytes));
    }

    private static Optional<byte[]> decode(String line) {
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(line.substring(PREFIX.length()).trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pool message line is not base64: '" + abbreviate(line) + "'", e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
}
