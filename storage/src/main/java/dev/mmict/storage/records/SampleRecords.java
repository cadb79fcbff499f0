package dev.mmict.storage.records;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.FrameRecord;
import dev.mmict.protocol.v1.SampleRecord;
import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import java.util.ArrayList;
import java.util.List;

/** Converts between {@link Sample} and its wire form {@link SampleRecord}. */
public final class SampleRecords {

  private SampleRecords() {}

  /**
   * The record of {@code sample}, sample {@code index} of {@code split} of task {@code task}.
   *
   * @throws IllegalArgumentException if a frame cannot be encoded (a NaN pixel for UINT8)
   */
  public static SampleRecord toRecord(
      Sample sample, String task, String split, int index, PixelEncoding encoding) {
    SampleRecord.Builder b =
        SampleRecord.newBuilder()
            .setId(sample.id())
            .setQueryable(sample.queryable())
            .setText(sample.text())
            .setPrompt(sample.prompt())
            .setTarget(sample.target())
            .addAllAnswers(sample.answers())
            .setTask(task)
            .setSplit(split)
            .setIndex(index);
    if (sample.group() != null) {
      b.setGroup(sample.group());
    }
    for (int i = 0; i < sample.frames().size(); i++) {
      Frame f = sample.frames().get(i);
      byte[] pixels;
      try {
        pixels = encoding.encode(f.pixels());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Sample " + sample.id() + ", frame " + i + ": " + e.getMessage(), e);
      }
      b.addFrames(
          FrameRecord.newBuilder()
              .setChannels(f.channels())
              .setHeight(f.height())
              .setWidth(f.width())
              .setEncoding(encoding.wire())
              .setPixels(ByteString.copyFrom(pixels)));
    }
    return b.build();
  }

  /**
   * The sample {@code record} holds.
   *
   * @throws IllegalArgumentException if the record does not describe a valid sample (bad frame
   *     dimensions or pixel byte count, an unknown encoding, a target missing from the answers)
   */
  public static Sample fromRecord(SampleRecord record) {
    List<Frame> frames = new ArrayList<>(record.getFramesCount());
    for (int i = 0; i < record.getFramesCount(); i++) {
      FrameRecord f = record.getFrames(i);
      try {
        // uint32 fields arrive as ints (negative above 2^31); the product must fit a Java array.
        long count = (long) f.getChannels() * f.getHeight();
        count = count > Integer.MAX_VALUE ? count : count * f.getWidth();
        if (f.getChannels() < 0 || f.getHeight() < 0 || f.getWidth() < 0
            || count > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("frame too large: " + Integer.toUnsignedString(
              f.getChannels()) + "×" + Integer.toUnsignedString(f.getHeight()) + "×"
              + Integer.toUnsignedString(f.getWidth()));
        }
        float[] pixels =
            PixelEncoding.fromWire(f.getEncoding())
                .decode(f.getPixels().asReadOnlyByteBuffer(), (int) count);
        frames.add(new Frame(f.getChannels(), f.getHeight(), f.getWidth(), pixels));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Sample " + record.getId() + ", frame " + i + ": " + e.getMessage(), e);
      }
    }
    return new Sample(
        record.getId(),
        record.hasGroup() ? record.getGroup() : null,
        record.getQueryable(),
        frames,
        record.getText(),
        record.getPrompt(),
        record.getTarget(),
        record.getAnswersList());
  }

  /**
   * The sample a pack in {@code encoding} gives back for {@code sample}: equal to it except for
   * the pixel quantisation of UINT8.
   */
  public static Sample asStored(Sample sample, PixelEncoding encoding) {
    List<Frame> frames = new ArrayList<>(sample.frames().size());
    for (Frame f : sample.frames()) {
      frames.add(encoding.asStored(f));
    }
    return new Sample(sample.id(), sample.group(), sample.queryable(), frames, sample.text(),
        sample.prompt(), sample.target(), sample.answers());
  }
}
