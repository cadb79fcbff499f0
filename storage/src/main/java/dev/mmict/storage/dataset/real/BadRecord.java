package dev.mmict.storage.dataset.real;

/**
 * Thrown inside a reader when the record being indexed is bad; the reader catches it and hands
 * it to {@link Problems} together with the file and the record's label.
 */
final class BadRecord extends Exception {

  private final Problem problem;

  BadRecord(Problem problem, String detail) {
    super(detail, null, false, false);
    this.problem = problem;
  }

  Problem problem() {
    return problem;
  }

  String detail() {
    return getMessage();
  }
}
