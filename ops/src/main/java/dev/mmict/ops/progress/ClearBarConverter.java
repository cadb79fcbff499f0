package dev.mmict.ops.progress;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The {@code %clearBar} word of {@code logback.xml}: while a terminal progress bar is drawn, a
 * carriage return and "clear to end of line", so a log line replaces the bar's half-drawn frame
 * rather than being glued to it (the bar redraws on the next line); nothing otherwise, so log
 * files never get escape sequences.
 */
public final class ClearBarConverter extends ClassicConverter {
  static final String CLEAR_LINE = "\r\u001B[K";

  @Override
  public String convert(ILoggingEvent event) {
    return BarProgress.drawing() ? CLEAR_LINE : "";
  }
}
