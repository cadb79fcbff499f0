package dev.mmict.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.mmict.protocol.v1.AbortReason;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.CheckpointWritten;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.PlanShape;
import dev.mmict.protocol.v1.ExchangePeer;
import dev.mmict.protocol.v1.LeaveAccepted;
import dev.mmict.protocol.v1.LeaveNotice;
import dev.mmict.protocol.v1.LeaveReason;
import dev.mmict.protocol.v1.MemberStatus;
import dev.mmict.protocol.v1.MembershipEvent;
import dev.mmict.protocol.v1.MembershipEventKind;
import dev.mmict.protocol.v1.MicroBatch;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.QueryAssignment;
import dev.mmict.protocol.v1.RefusalReason;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.RegistrationAccepted;
import dev.mmict.protocol.v1.RegistrationRefused;
import dev.mmict.protocol.v1.RunFinished;
import dev.mmict.protocol.v1.RunOutcome;
import dev.mmict.protocol.v1.StateTransferChunk;
import dev.mmict.protocol.v1.StateTransferDone;
import dev.mmict.protocol.v1.StateTransferRequest;
import dev.mmict.protocol.v1.StatusQuery;
import dev.mmict.protocol.v1.StatusReply;
import dev.mmict.protocol.v1.StepAborted;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.protocol.v1.TensorDType;
import dev.mmict.protocol.v1.TensorRole;
import dev.mmict.protocol.v1.WorkerState;
import java.util.ArrayList;
import java.util.List;

/** One instance of every control-plane message with every field set, for round-trip tests. */
final class FullMessages {

  private FullMessages() {}

  static DataPlaneAddress address(int port) {
    return DataPlaneAddress.newBuilder().setHost("10.0.0." + port % 250).setPort(port).build();
  }

  static ByteString sha(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return ByteString.copyFrom(b);
  }

  static MicroBatch microBatch(int id) {
    return MicroBatch.newBuilder()
        .setMicroBatchId(id)
        .addQueries(
            QueryAssignment.newBuilder().setSampleIndex(7 + id).addDemonstrationIndices(3)
                .addDemonstrationIndices(11))
        .addQueries(
            QueryAssignment.newBuilder().setSampleIndex(9 + id).addDemonstrationIndices(4)
                .addDemonstrationIndices(1))
        .build();
  }

  static MembershipEvent event(String worker, MembershipEventKind kind, long step) {
    return MembershipEvent.newBuilder()
        .setUnixMillis(1_700_000_000_000L + step)
        .setWorkerId(worker)
        .setKind(kind)
        .setStep(step)
        .setDetail(kind.name().toLowerCase())
        .build();
  }

  /** Every top-level message (and, nested inside them, every sub-message) fully set. */
  static List<Message> all() {
    List<Message> out = new ArrayList<>();
    out.add(
        RegisterWorker.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setModelFingerprint("9f3c")
            .setNodeAddress("pekko://mmict@127.0.0.1:25521")
            .setWorkerId("worker-2")
            .setProcessId(41237)
            .setDataPlane(address(7101))
            .setLastCompletedStep(17)
            .setParameterSha256(sha(1))
            .build());
    out.add(
        RegistrationAccepted.newBuilder()
            .setWorkerId("worker-2")
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setNextStep(18)
            .setStateTransferRequired(true)
            .build());
    out.add(
        RegistrationRefused.newBuilder()
            .setWorkerId("worker-9")
            .setReason(RefusalReason.REFUSAL_REASON_MODEL_FINGERPRINT)
            .setDetail("model fingerprint ab12 differs from the run's 9f3c")
            .setExpectedProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setExpectedModelFingerprint("9f3c")
            .build());
    out.add(
        StepPlan.newBuilder()
            .setStep(42)
            .setEpoch(3)
            .setPlanId("run-7/s42/a1")
            .setAttempt(1)
            .setWorkerId("worker-1")
            .addMicroBatches(microBatch(1))
            .addMicroBatches(microBatch(3))
            .setTotalMicroBatches(4)
            .setTotalSamples(8)
            .setLearningRate(3e-4)
            .addPeers(ExchangePeer.newBuilder().setWorkerId("worker-1").setDataPlane(address(7101)))
            .addPeers(ExchangePeer.newBuilder().setWorkerId("worker-3").setDataPlane(address(7103)))
            .build());
    out.add(
        StepResult.newBuilder()
            .setStep(42)
            .setPlanId("run-7/s42/a1")
            .setWorkerId("worker-1")
            .setLossSum(5.25)
            .setSampleCount(4)
            .setParameterSha256(sha(2))
            .addMicroBatchIds(1)
            .addMicroBatchIds(3)
            .setComputeMillis(812)
            .setExchangeMillis(95)
            .build());
    out.add(
        StepAborted.newBuilder()
            .setStep(42)
            .setPlanId("run-7/s42/a0")
            .setReason(AbortReason.ABORT_REASON_PEER_DIED)
            .setFailedWorkerId("worker-2")
            .setDetail("worker-2 unreachable for 5 s")
            .setReportingWorkerId("worker-1")
            .build());
    out.add(
        LeaveNotice.newBuilder()
            .setWorkerId("worker-3")
            .setReason(LeaveReason.LEAVE_REASON_PREEMPTION_NOTICE)
            .setDeadlineUnixMillis(1_700_000_030_000L)
            .setDetail("{\"action\": \"terminate\"}")
            .build());
    out.add(LeaveAccepted.newBuilder().setWorkerId("worker-3").setLastStep(43).build());
    out.add(
        StateTransferRequest.newBuilder()
            .setTransferId("t-5")
            .setJoinerWorkerId("worker-4")
            .setJoinerDataPlane(address(7104))
            .setAfterStep(43)
            .build());
    out.add(
        StateTransferChunk.newBuilder()
            .setTransferId("t-5")
            .setAfterStep(43)
            .setTensorName("lm.layer0.ffn.weight/adam.m")
            .setRole(TensorRole.TENSOR_ROLE_OPTIMIZER)
            .setDtype(TensorDType.TENSOR_DTYPE_FLOAT32)
            .addShape(256)
            .addShape(128)
            .setChunkIndex(1)
            .setChunkCount(2)
            .setByteOffset(65536)
            .setData(ByteString.copyFrom(new byte[] {1, 2, 3, 4}))
            .setCrc32C(0x1234_5678)
            .setTensorIndex(17)
            .setTensorCount(64)
            .setStateSha256(sha(4))
            .build());
    out.add(
        StateTransferDone.newBuilder()
            .setTransferId("t-5")
            .setWorkerId("worker-4")
            .setAfterStep(43)
            .setParameterSha256(sha(3))
            .setError("chunk 1 of tensor 17 failed its CRC-32C")
            .build());
    out.add(StatusQuery.newBuilder().setMaxEvents(20).build());
    out.add(
        StatusReply.newBuilder()
            .setStep(44)
            .setEpoch(3)
            .setPositionInEpoch(96)
            .setLastLoss(1.375)
            .setSamplesPerSecond(212.5)
            .setStepsAborted(1)
            .addMembers(
                MemberStatus.newBuilder()
                    .setWorkerId("worker-1")
                    .setState(WorkerState.WORKER_STATE_ACTIVE)
                    .setNodeAddress("pekko://mmict@127.0.0.1:25521")
                    .setProcessId(41237)
                    .setLastCompletedStep(43)
                    .setSamplesPerSecond(70.25))
            .addRecentEvents(event("worker-4", MembershipEventKind.MEMBERSHIP_EVENT_KIND_JOINED, 42))
            .addRecentEvents(event("worker-2", MembershipEventKind.MEMBERSHIP_EVENT_KIND_DIED, 42))
            .build());
    out.add(
        RunFinished.newBuilder()
            .setOutcome(RunOutcome.RUN_OUTCOME_COMPLETED)
            .setStepsCommitted(45)
            .setParameterSha256(sha(4))
            .setDetail("all 45 steps committed")
            .build());
    out.add(
        CheckpointRequest.newBuilder()
            .setCheckpointId("c9")
            .setStepsDone(45)
            .setEpoch(2)
            .setPositionInEpoch(96)
            .setParameterSha256(sha(4))
            .setDirectory("/shared/runs/a/checkpoints")
            .setKeep(3)
            .setPlan(PlanShape.newBuilder().setSeed(42).setGlobalBatchSize(32).setMicroBatchSize(4).setShots(2)
                .setStrategy("RANDOM"))
            .setFinal(true)
            .build());
    out.add(
        CheckpointWritten.newBuilder()
            .setCheckpointId("c9")
            .setWorkerId("worker-1")
            .setStepsDone(45)
            .setPath("/shared/runs/a/checkpoints/step-00000045")
            .setParameterSha256(sha(4))
            .setError("cannot write /shared/runs/a/checkpoints: No space left on device")
            .build());
    return out;
  }

  /**
   * The paths (e.g. "StepPlan.micro_batches[0].queries") of fields left at their default in
   * {@code message} or in any message nested in it; empty when every field is set.
   */
  static List<String> unsetFields(Message message) {
    List<String> unset = new ArrayList<>();
    collectUnset(message, message.getDescriptorForType().getName(), unset);
    return unset;
  }

  private static void collectUnset(Message message, String path, List<String> unset) {
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      String fieldPath = path + "." + field.getName();
      if (field.isRepeated()) {
        int n = message.getRepeatedFieldCount(field);
        if (n == 0) {
          unset.add(fieldPath);
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          for (int i = 0; i < n; i++) {
            collectUnset((Message) message.getRepeatedField(field, i), fieldPath + "[" + i + "]", unset);
          }
        }
      } else if (!message.hasField(field)) {
        unset.add(fieldPath);
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        collectUnset((Message) message.getField(field), fieldPath, unset);
      }
    }
  }
}
