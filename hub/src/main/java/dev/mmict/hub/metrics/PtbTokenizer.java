package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Caption tokenisation as the COCO caption toolkit does it: Stanford's PTBTokenizer (default
 * PTB3 options, {@code -lowerCase}) followed by removal of punctuation tokens.
 *
 * <p>This is a rule-based Java approximation of the Stanford lexer, not a port of it. What it
 * does, in order:
 * <ol>
 *   <li>Newlines become spaces (the toolkit does this before tokenising); the text is split on
 *       whitespace (including no-break spaces).
 *   <li>Words are runs of letters/digits, joined through {@code - _ . / '} when a letter or
 *       digit follows, through {@code , :} only between digits ("1,000", "10:30") and through
 *       {@code &} only between capitals ("AT&amp;T"). Hyphenated words stay whole
 *       ("black-and-white"), as in the PTB3-era lexer the toolkit ships.
 *   <li>A final period stays on a known abbreviation ("mr.", "st.", "etc.") and on letter
 *       acronyms ("u.s.", "e.g."); otherwise it is split off.
 *   <li>Clitics are split off the end of a word: {@code n't} ("don't" → "do n't", "can't" →
 *       "ca n't"), {@code 's 'm 'd 're 've 'll}; "cannot" → "can not". Curly apostrophes in a
 *       clitic become straight ones.
 *   <li>British spellings are Americanised as Stanford's {@code Americanize} does by default:
 *       its "-our" → "-or" rule for lower-case words of six letters or more (with its exception
 *       list, e.g. "contour", "detour"), the "programme", "haem", "aemia" rules, and a subset of
 *       its word list ("grey" → "gray", "centre" → "center", "coloured" → "colored", …). Like
 *       Stanford, this runs before lower-casing, so "Grey" stays "grey".
 *   <li>Brackets become {@code -LRB- -RRB- -LSB- -RSB- -LCB- -RCB-}, double quotes {@code ``}
 *       / {@code ''}, single quotes {@code `} / {@code '}, three or more dots (or "…")
 *       {@code ...}, dash runs and Unicode dashes {@code --}, runs of {@code ?}/{@code !} and of
 *       {@code =} one token; {@code /} and {@code *} are escaped as {@code \/} and {@code \*}; other symbols
 *       are one-character tokens.
 *   <li>Every token is lower-cased (Locale.ENGLISH) and tokens in the toolkit's punctuation
 *       list are dropped. The list is compared after lower-casing, exactly as the toolkit
 *       does, so its upper-case entries never match: brackets survive as "-lrb-", "-rrb-", …
 * </ol>
 *
 * <p>Known differences from the Stanford lexer: no SGML/URL/e-mail/emoticon rules; no
 * assimilation splitting ("gonna" stays one token, "'twas" becomes "twas"); a single letter followed by a period is
 * split ("a." → "a"); abbreviations form a short fixed list and keep their period even at the
 * end of a sentence (Stanford would emit "etc." plus "." there, which the filter drops anyway);
 * only part of the Americanize word list is included; characters outside the Basic
 * Multilingual Plane (emoji) and control/format characters are dropped rather than handled by
 * Stanford's per-character tables; fractions and currency symbols are not normalised.
 * Thread-safe: the class holds no mutable state.
 */
public final class PtbTokenizer {

  /**
   * The toolkit's punctuation list, compared against lower-cased tokens (its upper-case entries
   * therefore never match; see the class comment).
   */
  private static final Set<String> PUNCTUATION = Set.of(
      "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
      ".", "?", "!", ",", ":", "-", "--", "...", ";");

  /** Abbreviations that keep their final period (lower-case, without the period). */
  private static final Set<String> ABBREVIATIONS = Set.of(
      "mr", "mrs", "ms", "dr", "drs", "prof", "st", "ste", "jr", "sr", "vs", "etc", "inc", "co",
      "corp", "ltd", "mt", "ft", "ave", "blvd", "rd", "gen", "col", "lt", "sgt", "capt", "rev",
      "gov", "sen", "rep", "messrs", "esq", "dept", "jan", "feb", "mar", "apr", "jun", "jul",
      "aug", "sep", "sept", "oct", "nov", "dec");

  /** Letters separated by single periods, e.g. "u.s", "e.g", "a.m" (the final period follows). */
  private static final Pattern ACRONYM = Pattern.compile("\\p{L}(\\.\\p{L})+");

  /** Clitics split off as whole tokens when a word ends with them (apostrophe normalised). */
  private static final Set<String> SHORT_CLITICS = Set.of("s", "m", "d");
  private static final Set<String> LONG_CLITICS = Set.of("re", "ve", "ll");

  /** British → American words (a subset of Stanford's Americanize list, case-sensitive). */
  private static final Map<String, String> AMERICAN_SPELLING = Map.ofEntries(
      Map.entry("grey", "gray"),
      Map.entry("centre", "center"),
      Map.entry("theatre", "theater"),
      Map.entry("theatres", "theaters"),
      Map.entry("fibre", "fiber"),
      Map.entry("fibres", "fibers"),
      Map.entry("meagre", "meager"),
      Map.entry("kerb", "curb"),
      Map.entry("defence", "defense"),
      Map.entry("coloured", "colored"),
      Map.entry("colouring", "coloring"),
      Map.entry("colourful", "colorful"),
      Map.entry("armoured", "armored"),
      Map.entry("flavoured", "flavored"),
      Map.entry("favourite", "favorite"),
      Map.entry("favourites", "favorites"),
      Map.entry("neighbourhood", "neighborhood"),
      Map.entry("neighbourhoods", "neighborhoods"),
      Map.entry("labelled", "labeled"),
      Map.entry("labelling", "labeling"),
      Map.entry("travelled", "traveled"),
      Map.entry("travelling", "traveling"),
      Map.entry("cancelled", "canceled"),
      Map.entry("manoeuvre", "maneuver"),
      Map.entry("analyse", "analyze"),
      Map.entry("realise", "realize"),
      Map.entry("organisation", "organization"),
      Map.entry("practise", "practice"));

  /** Americanize's pattern rules, applied in order to words of six characters or more. */
  private static final Pattern[] SPELLING_PATTERNS = {
      Pattern.compile("haem(at)?o"),
      Pattern.compile("aemia$"),
      Pattern.compile("([lL])eukaem"),
      Pattern.compile("programme(s?)$"),
      Pattern.compile("^([a-z]{3,})our(s?)$"),
  };
  private static final String[] SPELLING_REPLACEMENTS = {"hem$1o", "emia", "$1eukem", "program$1", "$1or$2"};
  /** Words the "-our" rule leaves alone (found anywhere in the word). */
  private static final Pattern OUR_EXCEPTIONS = Pattern.compile(
      "abatjour|beflour|bonjour|calambour|carrefour|cornflour|contour|de[tv]our|dortour|dyvour"
          + "|downpour|giaour|glamour|holour|inpour|outpour|pandour|paramour|pompadour|recontour"
          + "|repour|ryeflour|sompnour|tambour|troubadour|tregetour|velour");

  /**
   * Tokenises one caption.
   *
   * @return lower-cased tokens without the toolkit's punctuation tokens; empty for blank text
   */
  public List<String> tokenize(String text) {
    Objects.requireNonNull(text, "text to tokenize is null");
    List<String> raw = new ArrayList<>();
    String s = text.replace('\n', ' ');
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (isSpace(cp)) {
        i += Character.charCount(cp);
      } else if (Character.isLetterOrDigit(cp)) {
        i = scanWord(s, i, i, raw);
      } else {
        i = scanSymbol(s, i, raw);
      }
    }
    List<String> tokens = new ArrayList<>(raw.size());
    for (String token : raw) {
      String lower = token.toLowerCase(Locale.ENGLISH);
      if (!PUNCTUATION.contains(lower)) {
        tokens.add(lower);
      }
    }
    return tokens;
  }

  /** Tokenises and joins with single spaces, the form the toolkit hands to its scorers. */
  public String tokenizeToString(String text) {
    return String.join(" ", tokenize(text));
  }

  /**
   * Scans a word whose first letter/digit is at {@code bodyStart}; {@code start} may be one
   * earlier when the word begins with a sign or decimal point ("-5", ".5").
   *
   * @return the index after the word (and after a period it keeps)
   */
  private static int scanWord(String s, int start, int bodyStart, List<String> out) {
    int i = bodyStart;
    int n = s.length();
    while (true) {
      while (i < n && isWordChar(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      if (i + 1 < n && joinsWord(s, i) && Character.isLetterOrDigit(s.codePointAt(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    String word = s.substring(start, i);
    boolean periodFollows = i < n && s.charAt(i) == '.' && (i + 1 >= n || s.charAt(i + 1) != '.');
    if (periodFollows && isAbbreviation(word)) {
      word = word + ".";
      i++;
    }
    emitWord(word, out);
    return i;
  }

  /** Whether the separator at {@code i} may join two word parts (the next char is checked by the caller). */
  private static boolean joinsWord(String s, int i) {
    char c = s.charAt(i);
    switch (c) {
      case '-', '_', '.', '/', '\'', '\u2019':
        return true;
      case ',', ':':
        return i > 0 && Character.isDigit(s.charAt(i - 1)) && Character.isDigit(s.charAt(i + 1));
      case '&':
        return i > 0 && isAsciiUpper(s.charAt(i - 1)) && isAsciiUpper(s.charAt(i + 1));
      default:
        return false;
    }
  }

  private static boolean isAbbreviation(String word) {
    return ACRONYM.matcher(word).matches() || ABBREVIATIONS.contains(word.toLowerCase(Locale.ENGLISH));
  }

  /** Splits clitics off a word, Americanises and escapes the parts, and appends them. */
  private static void emitWord(String word, List<String> out) {
    String lower = word.toLowerCase(Locale.ENGLISH);
    if (lower.equals("cannot")) {
      out.add(word.substring(0, 3));
      out.add(word.substring(3));
      return;
    }
    int cut = cliticStart(lower);
    if (cut > 0) {
      out.add(escape(americanize(word.substring(0, cut))));
      out.add(word.substring(cut).replace('\u2019', '\''));
    } else {
      out.add(escape(americanize(word)));
    }
  }

  /** Index where a trailing clitic begins in {@code lower}, or -1. */
  private static int cliticStart(String lower) {
    int len = lower.length();
    if (len > 3 && lower.charAt(len - 3) == 'n' && isApostrophe(lower.charAt(len - 2)) && lower.charAt(len - 1) == 't') {
      return len - 3;
    }
    if (len > 2 && isApostrophe(lower.charAt(len - 2)) && SHORT_CLITICS.contains(lower.substring(len - 1))) {
      return len - 2;
    }
    if (len > 3 && isApostrophe(lower.charAt(len - 3)) && LONG_CLITICS.contains(lower.substring(len - 2))) {
      return len - 3;
    }
    return -1;
  }

  /** Stanford's default {@code americanize=true}: British spellings to American ones. */
  static String americanize(String word) {
    if (word.length() < 4) {
      return word;
    }
    String mapped = AMERICAN_SPELLING.get(word);
    if (mapped != null) {
      return mapped;
    }
    if (word.length() < 6) {
      return word;
    }
    for (int p = 0; p < SPELLING_PATTERNS.length; p++) {
      Matcher m = SPELLING_PATTERNS[p].matcher(word);
      if (m.find()) {
        boolean isOurRule = p == SPELLING_PATTERNS.length - 1;
        if (isOurRule && OUR_EXCEPTIONS.matcher(word).find()) {
          continue;
        }
        return m.replaceAll(SPELLING_REPLACEMENTS[p]);
      }
    }
    return word;
  }

  /** PTB3 escaping of forward slashes and asterisks. */
  private static String escape(String token) {
    if (token.indexOf('/') < 0 && token.indexOf('*') < 0) {
      return token;
    }
    return token.replace("/", "\\/").replace("*", "\\*");
  }

  /**
   * Scans one non-word token at {@code i}.
   *
   * @return the index after it
   */
  private static int scanSymbol(String s, int i, List<String> out) {
    int n = s.length();
    char c = s.charAt(i);
    boolean digitFollows = i + 1 < n && Character.isDigit(s.charAt(i + 1));
    boolean atTokenStart = i == 0 || isSpace(s.codePointBefore(i));
    switch (c) {
      case '.':
        if (digitFollows) {
          return scanWord(s, i, i + 1, out);
        }
        int dots = runLength(s, i, '.');
        if (dots >= 3) {
          out.add("...");
        } else {
          for (int k = 0; k < dots; k++) {
            out.add(".");
          }
        }
        return i + dots;
      case '-':
        if (digitFollows && atTokenStart) {
          return scanWord(s, i, i + 1, out);
        }
        int hyphens = runLength(s, i, '-');
        out.add(hyphens == 1 ? "-" : "--");
        return i + hyphens;
      case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015':
        out.add("--");
        return i + 1;
      case '?', '!': {
        int end = i;
        while (end < n && (s.charAt(end) == '?' || s.charAt(end) == '!')) {
          end++;
        }
        out.add(s.substring(i, end));
        return end;
      }
      case '=':
        int equals = runLength(s, i, '=');
        out.add(s.substring(i, i + equals));
        return i + equals;
      case '\u2026':
        out.add("...");
        return i + 1;
      case '(':
        out.add("-LRB-");
        return i + 1;
      case ')':
        out.add("-RRB-");
        return i + 1;
      case '[':
        out.add("-LSB-");
        return i + 1;
      case ']':
        out.add("-RSB-");
        return i + 1;
      case '{':
        out.add("-LCB-");
        return i + 1;
      case '}':
        out.add("-RCB-");
        return i + 1;
      case '"':
        out.add(atTokenStart ? "``" : "''");
        return i + 1;
      case '\u201C', '\u201E':
        out.add("``");
        return i + 1;
      case '\u201D':
        out.add("''");
        return i + 1;
      case '`', '\u2018':
        if (i + 1 < n && s.charAt(i + 1) == c) {
          out.add("``");
          return i + 2;
        }
        out.add("`");
        return i + 1;
      case '\'', '\u2019': {
        int clitic = cliticAfterApostrophe(s, i);
        if (clitic > 0) {
          out.add("'" + s.substring(i + 1, i + 1 + clitic));
          return i + 1 + clitic;
        }
        if (i + 1 < n && s.charAt(i + 1) == c) {
          out.add("''");
          return i + 2;
        }
        out.add(atTokenStart ? "`" : "'");
        return i + 1;
      }
      case '/':
      case '*':
        out.add("\\" + c);
        return i + 1;
      default:
        int cp = s.codePointAt(i);
        if (isKeptSymbol(cp)) {
          out.add(new String(Character.toChars(cp)));
        }
        return i + Character.charCount(cp);
    }
  }

  /**
   * Length of a clitic (s, m, d, re, ve, ll) right after the apostrophe at {@code i} and ending
   * the word there ("dog 's", "they 're"), or 0.
   */
  private static int cliticAfterApostrophe(String s, int i) {
    for (int len = 2; len >= 1; len--) {
      int end = i + 1 + len;
      if (end > s.length()) {
        continue;
      }
      String candidate = s.substring(i + 1, end).toLowerCase(Locale.ENGLISH);
      boolean known = len == 1 ? SHORT_CLITICS.contains(candidate) : LONG_CLITICS.contains(candidate);
      boolean wordEnds = end == s.length() || !isWordChar(s.codePointAt(end));
      if (known && wordEnds) {
        return len;
      }
    }
    return 0;
  }

  private static int runLength(String s, int i, char c) {
    int end = i;
    while (end < s.length() && s.charAt(end) == c) {
      end++;
    }
    return end - i;
  }

  /** Punctuation and symbols in the BMP become one-character tokens; anything else is dropped. */
  private static boolean isKeptSymbol(int cp) {
    if (Character.isSupplementaryCodePoint(cp)) {
      return false;
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }

  private static boolean isWordChar(int cp) {
    int type = Character.getType(cp);
    return Character.isLetterOrDigit(cp)
        || type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  private static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  private static boolean isApostrophe(char c) {
    return c == '\'' || c == '\u2019';
  }

  private static boolean isAsciiUpper(char c) {
    return c >= 'A' && c <= 'Z';
  }
}
