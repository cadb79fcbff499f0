package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.List;

/**
 * One indexed sample: where its pictures are and its texts, but no pixels.
 *
 * @param id the sample id, unique within the dataset
 * @param mediaKey the image or video it shows (slices keep all samples of one key together)
 * @param file the annotation file it came from, for messages
 * @param record its label in that file, for messages
 * @param media the picture files: one image, or the sampled frames of a clip
 * @param question the question (qa sources), else null
 * @param target the expected output: first caption, or the answer
 * @param answers every reference, containing {@code target}
 */
record Entry(
    String id,
    String mediaKey,
    String file,
    String record,
    List<Path> media,
    String question,
    String target,
    List<String> answers) {}
