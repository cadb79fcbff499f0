package dev.mmict.storage.dataset.real;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies the {@link BadInputPolicy} while a reader indexes its files: under FAIL a bad record
 * throws at once; under SKIP it is recorded and the caller drops it. Not thread-safe; readers
 * index on one thread.
 */
final class Problems {

  private final BadInputPolicy policy;
  private final List<SkipReport.Skip> skips = new ArrayList<>();

  Problems(BadInputPolicy policy) {
    this.policy = policy;
  }

  /**
   * Reports a bad record: throws under FAIL, records it under SKIP (the caller then drops the
   * record).
   */
  void bad(Problem problem, String file, String record, String detail) {
    if (policy == BadInputPolicy.FAIL) {
      throw new DatasetFormatException(problem, file, record, detail, null);
    }
    skips.add(new SkipReport.Skip(problem, file, record, detail));
  }

  SkipReport report() {
    return new SkipReport(skips);
  }
}
