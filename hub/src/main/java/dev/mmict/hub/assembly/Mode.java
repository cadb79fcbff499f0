package dev.mmict.hub.assembly;

/** The three ways MMICT.md feeds a dialog to the frozen LLM. */
public enum Mode {
  /** Demonstrations as M-Hub visual-guided text rows, each closed by EOC; query as its TGV rows. */
  MMICT,
  /** Demonstrations as queries-only Q-Former rows followed by their raw caption tokens. */
  VANILLA_ICT,
  /** No demonstrations: the query's TGV rows and prompt only. */
  VANILLA_FT;

  /** The name used in reports and configs ("MMICT", "VanillaICT", "VanillaFT"). */
  public String label() {
    return switch (this) {
      case MMICT -> "MMICT";
      case VANILLA_ICT -> "VanillaICT";
      case VANILLA_FT -> "VanillaFT";
    };
  }

  /** Parses a label or enum name, case-insensitively. */
  public static Mode parse(String s) {
    for (Mode m : values()) {
      if (m.label().equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode '" + s + "' (expected MMICT, VanillaICT or VanillaFT)");
  }

  /** Whether the M-Hub sees each item's text (instruction-aware) or runs on queries alone. */
  public boolean mhubSeesText() {
    return this != VANILLA_ICT;
  }
}
