package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads VQAv2: one sample per question in file order, prompt the question, target its {@code
 * multiple_choice_answer}, answers its ten human answers (for VQA soft accuracy).
 */
public final class VqaV2Reader {

  /** Human answers per VQAv2 question. */
  public static final int ANSWERS = 10;

  private static final Logger LOG = LoggerFactory.getLogger(VqaV2Reader.class);

  private VqaV2Reader() {}

  /** The dataset {@code config} describes, named {@code name}. */
  public static RealDataset open(String name, VqaV2Config config, ReaderOptions options) {
    IndexBuilder index = new IndexBuilder(name, options);
    Map<String, String> interned = new HashMap<>();
    for (Map.Entry<String, VqaV2Config.Split> s : config.splits().entrySet()) {
      index.split(s.getKey(), s.getValue().slice());
      read(name, s.getKey(), s.getValue(), index, interned);
    }
    return index.build(Texts.QA_PROMPT, Texts.QA_DEMO, true);
  }

  /** A checked question. */
  private record Question(long id, long imageId, String text, String record) {}

  /** A checked annotation. */
  private record Answers(long imageId, String record, String target, List<String> answers) {}

  private static void read(String name, String split, VqaV2Config.Split files, IndexBuilder index,
      Map<String, String> interned) {
    Problems problems = index.problems();
    String annotationsName = files.annotations().toString();
    Map<Long, Answers> byQuestion = new HashMap<>();
    Set<Long> badAnnotations = new HashSet<>();
    JsonInput.objectArrays(files.annotations(), Map.of("annotations", el -> {
      String record = el.label();
      Long questionId = null;
      try {
        questionId = Fields.integer(el.node(), "question_id");
        record = el.label("question_id " + questionId);
        long imageId = Fields.integer(el.node(), "image_id");
        String target = Fields.text(el.node(), "multiple_choice_answer");
        JsonNode list = Fields.array(el.node(), "answers");
        if (list.size() != ANSWERS) {
          throw new BadRecord(Problem.WRONG_ANSWER_COUNT,
              "expected " + ANSWERS + " answers, got " + list.size());
        }
        List<String> answers = new ArrayList<>(ANSWERS);
        for (int j = 0; j < list.size(); j++) {
          try {
            answers.add(intern(Fields.text(list.get(j), "answer"), interned));
          } catch (BadRecord b) {
            throw new BadRecord(b.problem(), "answers[" + j + "]: " + b.detail());
          }
        }
        if (!answers.contains(target)) {
          throw new BadRecord(Problem.TARGET_NOT_IN_ANSWERS, "multiple_choice_answer '" + target
              + "' is not among the answers " + answers);
        }
        if (byQuestion.containsKey(questionId)) {
          throw new BadRecord(Problem.DUPLICATE_ID, "question_id " + questionId
              + " also annotated at " + byQuestion.get(questionId).record());
        }
        byQuestion.put(questionId, new Answers(imageId, record, intern(target, interned),
            List.copyOf(answers)));
      } catch (BadRecord b) {
        if (questionId != null) {
          badAnnotations.add(questionId);
        }
        problems.bad(b.problem(), annotationsName, record, b.detail());
      }
    }), (k, v) -> { });

    String questionsName = files.questions().toString();
    String[] subtype = {files.imageSubtype()};
    List<Question> questions = new ArrayList<>();
    Map<String, Consumer<JsonInput.Element>> arrays = Map.of("questions", el -> {
      String record = el.label();
      try {
        long questionId = Fields.integer(el.node(), "question_id");
        record = el.label("question_id " + questionId);
        long imageId = Fields.integer(el.node(), "image_id");
        questions.add(new Question(questionId, imageId, Fields.text(el.node(), "question"),
            record));
      } catch (BadRecord b) {
        problems.bad(b.problem(), questionsName, record, b.detail());
      }
    });
    JsonInput.objectArrays(files.questions(), arrays, (key, value) -> {
      if (key.equals("data_subtype") && subtype[0] == null && value.isTextual()) {
        subtype[0] = value.textValue();
      }
    });
    if (subtype[0] == null) {
      throw new DatasetFormatException(null, questionsName, null, "no data_subtype at the top"
          + " level to name the image files; set image_subtype (e.g. train2014) for split "
          + split, null);
    }
    Set<Long> used = new HashSet<>();
    for (Question q : questions) {
      if (badAnnotations.contains(q.id())) {
        continue; // already reported with its annotation
      }
      Answers answers = byQuestion.get(q.id());
      if (answers == null) {
        problems.bad(Problem.DANGLING_REFERENCE, questionsName, q.record(),
            "question_id " + q.id() + " has no annotation in " + annotationsName);
        continue;
      }
      if (answers.imageId() != q.imageId()) {
        problems.bad(Problem.DANGLING_REFERENCE, questionsName, q.record(), "image_id "
            + q.imageId() + " differs from the annotation's image_id " + answers.imageId());
        continue;
      }
      used.add(q.id());
      Path image = files.images().resolve(
          String.format("COCO_%s_%012d.jpg", subtype[0], q.imageId()));
      index.add(split, new Entry("vqav2:" + q.id(), Long.toString(q.imageId()), questionsName,
          q.record(), List.of(image), q.text(), answers.target(), answers.answers()));
    }
    int orphans = byQuestion.size() - used.size();
    if (orphans > 0) {
      LOG.info("{}/{}: {} annotations of {} have no question in {} and are not used", name,
          split, orphans, annotationsName, questionsName);
    }
  }

  private static String intern(String s, Map<String, String> pool) {
    // Answers repeat a lot ("yes", "2"): one String each saves most of the index's memory.
    String before = pool.putIfAbsent(s, s);
    return before == null ? s : before;
  }
}
