package dev.mmict.storage.dataset.real;

import static dev.mmict.storage.dataset.real.Fixtures.failsWith;
import static dev.mmict.storage.dataset.real.Fixtures.fileError;
import static dev.mmict.storage.dataset.real.Fixtures.skips;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mmict.storage.dataset.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqaV2ReaderTest {

  @TempDir Path dir;

  static final ReaderOptions OPTIONS = ReaderOptions.of(8);

  static String question(long imageId, long questionId, String text) {
    return "    {\"image_id\": " + imageId + ", \"question\": \"" + text + "\", \"question_id\": "
        + questionId + "}";
  }

  /** An annotation with the given human answers (normally ten). */
  static String annotation(long imageId, long questionId, String mca, List<String> answers) {
    List<String> list = new ArrayList<>();
    for (int j = 0; j < answers.size(); j++) {
      list.add("{\"answer\": \"" + answers.get(j) + "\", \"answer_confidence\": \"yes\","
          + " \"answer_id\": " + (j + 1) + "}");
    }
    return "    {\"question_type\": \"what color\", \"multiple_choice_answer\": \"" + mca
        + "\", \"answers\": [" + String.join(", ", list) + "], \"image_id\": " + imageId
        + ", \"answer_type\": \"other\", \"question_id\": " + questionId + "}";
  }

  static List<String> answers(String main, String other) {
    List<String> out = new ArrayList<>(Collections.nCopies(8, main));
    out.add(other);
    out.add(other);
    return out;
  }

  static List<String> questions() {
    return new ArrayList<>(List.of(
        question(9, 9000, "What color is the plate?"),
        question(9, 9001, "Is there broccoli?"),
        question(25, 25000, "What animal is this?")));
  }

  static List<String> annotations() {
    return new ArrayList<>(List.of(
        annotation(25, 25000, "giraffe", answers("giraffe", "giraffes")),
        annotation(9, 9000, "white", answers("white", "white and blue")),
        annotation(9, 9001, "yes", answers("yes", "no"))));
  }

  void write(List<String> questions, List<String> annotations, boolean subtype) {
    Fixtures.text(dir.resolve("v2_OpenEnded_mscoco_train2014_questions.json"),
        "{\n  \"info\": {\"description\": \"VQA v2\"},\n  \"task_type\": \"Open-Ended\",\n"
            + "  \"data_type\": \"mscoco\",\n  \"license\": {\"name\": \"CC BY 4.0\"},\n"
            + (subtype ? "  \"data_subtype\": \"train2014\",\n" : "")
            + "  \"questions\": [\n" + String.join(",\n", questions) + "\n  ]\n}\n");
    Fixtures.text(dir.resolve("v2_mscoco_train2014_annotations.json"),
        "{\n  \"info\": {\"description\": \"VQA v2\"},\n  \"license\": {\"name\": \"CC\"},\n"
            + "  \"data_subtype\": \"train2014\",\n  \"annotations\": [\n"
            + String.join(",\n", annotations) + "\n  ]\n}\n");
    Fixtures.picture(dir.resolve("train2014/COCO_train2014_000000000009.jpg"), 20, 14, 0xF02020);
    Fixtures.picture(dir.resolve("train2014/COCO_train2014_000000000025.jpg"), 14, 20, 0x2020F0);
  }

  Function<ReaderOptions, RealDataset> reader(String subtype) {
    return o -> VqaV2Reader.open("vqa", new VqaV2Config(Map.of("train", new VqaV2Config.Split(
        dir.resolve("v2_OpenEnded_mscoco_train2014_questions.json"),
        dir.resolve("v2_mscoco_train2014_annotations.json"), dir.resolve("train2014"), subtype,
        null))), o);
  }

  @Test
  void oneSamplePerQuestionWithTenAnswers() {
    write(questions(), annotations(), true);
    RealDataset ds = reader(null).apply(OPTIONS);
    assertEquals(3, ds.size("train"));
    Sample s = ds.get("train", 0);
    assertEquals("vqav2:9000", s.id());
    assertEquals("Question: What color is the plate? Short answer:", s.prompt());
    assertEquals("white", s.target());
    assertEquals(answers("white", "white and blue"), s.answers());
    assertEquals("What color is the plate? white", s.text());
    assertEquals(0, Fixtures.dominant(s.frames().get(0)));
    Sample giraffe = ds.get("train", 2);
    assertEquals("giraffe", giraffe.target());
    assertEquals(2, Fixtures.dominant(giraffe.frames().get(0)));
    // Custom templates.
    RealDataset custom = reader(null).apply(new ReaderOptions(8, BadInputPolicy.FAIL,
        ImageCheck.EXISTS, null, 0, "Q: {question} A:", "{prompt} {answer}", Map.of()));
    assertEquals("Q: Is there broccoli? A: yes", custom.get("train", 1).text());
  }

  @Test
  void wrongAnswerCount() {
    List<String> anns = annotations();
    anns.set(2, annotation(9, 9001, "yes", answers("yes", "no").subList(0, 9)));
    write(questions(), anns, true);
    failsWith(reader(null), OPTIONS, Problem.WRONG_ANSWER_COUNT,
        "v2_mscoco_train2014_annotations.json", "annotations[2] (line 8, question_id 9001)",
        "expected 10 answers, got 9");
    RealDataset ds = skips(reader(null), OPTIONS, Problem.WRONG_ANSWER_COUNT, 1);
    assertEquals(List.of("vqav2:9000", "vqav2:25000"), List.of(ds.id("train", 0),
        ds.id("train", 1)));
  }

  @Test
  void emptyQuestionAndEmptyAnswer() {
    List<String> qs = questions();
    qs.set(1, question(9, 9001, " "));
    write(qs, annotations(), true);
    failsWith(reader(null), OPTIONS, Problem.EMPTY_TEXT,
        "v2_OpenEnded_mscoco_train2014_questions.json", "questions[1]", "empty question");
    assertEquals(2, skips(reader(null), OPTIONS, Problem.EMPTY_TEXT, 1).size("train"));

    List<String> anns = annotations();
    List<String> withEmpty = answers("white", "white and blue");
    withEmpty.set(3, "");
    anns.set(1, annotation(9, 9000, "white", withEmpty));
    write(questions(), anns, true);
    failsWith(reader(null), OPTIONS, Problem.EMPTY_TEXT, "annotations[1]", "answers[3]: empty");
    assertEquals(2, skips(reader(null), OPTIONS, Problem.EMPTY_TEXT, 1).size("train"));
  }

  @Test
  void targetNotAmongAnswersAndQuestionWithoutAnnotation() {
    List<String> anns = annotations();
    anns.set(0, annotation(25, 25000, "zebra", answers("giraffe", "giraffes")));
    write(questions(), anns, true);
    failsWith(reader(null), OPTIONS, Problem.TARGET_NOT_IN_ANSWERS, "annotations[0]",
        "'zebra' is not among the answers");
    assertEquals(2, skips(reader(null), OPTIONS, Problem.TARGET_NOT_IN_ANSWERS, 1)
        .size("train"));

    anns = annotations();
    anns.remove(1);
    write(questions(), anns, true);
    failsWith(reader(null), OPTIONS, Problem.DANGLING_REFERENCE, "questions[0]",
        "question_id 9000 has no annotation");
    assertEquals(2, skips(reader(null), OPTIONS, Problem.DANGLING_REFERENCE, 1).size("train"));
  }

  @Test
  void missingPictureAndSubtype() {
    List<String> qs = questions();
    qs.add(question(77, 77000, "Where is it?"));
    List<String> anns = annotations();
    anns.add(annotation(77, 77000, "here", answers("here", "there")));
    write(qs, anns, true);
    failsWith(reader(null), OPTIONS, Problem.MISSING_MEDIA, "questions[3]",
        "COCO_train2014_000000000077.jpg does not exist");
    assertEquals(3, skips(reader(null), OPTIONS, Problem.MISSING_MEDIA, 1).size("train"));

    write(questions(), annotations(), false);
    fileError(reader(null), OPTIONS, "no data_subtype", "image_subtype");
    // Given in the config instead, the files are found.
    assertEquals(3, reader("train2014").apply(OPTIONS).size("train"));
    assertEquals(3, reader("val2014").apply(OPTIONS.withPolicy(BadInputPolicy.SKIP))
        .skipReport().of(Problem.MISSING_MEDIA).size());
  }
}
