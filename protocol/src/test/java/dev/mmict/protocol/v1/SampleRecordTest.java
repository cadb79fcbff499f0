package dev.mmict.protocol.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleRecordTest {

  @Test
  void sampleRecordRoundTripsEveryField() throws InvalidProtocolBufferException {
    SampleRecord record =
        SampleRecord.newBuilder()
            .setId("shapes-fastbinding/train/d3/1")
            .setGroup("train/d3")
            .setQueryable(false)
            .addFrames(
                FrameRecord.newBuilder()
                    .setChannels(3)
                    .setHeight(1)
                    .setWidth(2)
                    .setEncoding(PixelEncoding.PIXEL_ENCODING_UINT8)
                    .setPixels(ByteString.copyFrom(new byte[] {0, 1, 2, 3, 4, (byte) 255})))
            .setText("this is a dax.")
            .setPrompt("what is this? this is a")
            .setTarget("dax")
            .addAllAnswers(List.of("dax"))
            .setTask("shapes-fastbinding")
            .setSplit("train")
            .setIndex(17)
            .build();
    SampleRecord back = SampleRecord.parseFrom(record.toByteArray());
    assertEquals(record, back);
    assertTrue(back.hasGroup());
    assertEquals(255, back.getFrames(0).getPixels().byteAt(5) & 0xFF);
  }

  @Test
  void absentGroupStaysAbsent() throws InvalidProtocolBufferException {
    SampleRecord record = SampleRecord.newBuilder().setId("x").build();
    assertFalse(SampleRecord.parseFrom(record.toByteArray()).hasGroup());
    // An empty group is a group, not an absent one.
    assertTrue(
        SampleRecord.parseFrom(record.toBuilder().setGroup("").build().toByteArray()).hasGroup());
  }
}
