package dev.mmict.storage.dataset.real;

import java.util.Comparator;

/**
 * Orders names with their digit runs compared as numbers, so "frame_2.jpg" comes before
 * "frame_10.jpg" and "vid9" before "vid10" (a plain string sort would not).
 */
final class NaturalOrder implements Comparator<String> {

  static final NaturalOrder INSTANCE = new NaturalOrder();

  private NaturalOrder() {}

  @Override
  public int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        String da = strip(a.substring(si, i));
        String db = strip(b.substring(sj, j));
        int byLength = Integer.compare(da.length(), db.length());
        if (byLength != 0) {
          return byLength;
        }
        int byDigits = da.compareTo(db);
        if (byDigits != 0) {
          return byDigits;
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    int byRest = Integer.compare(a.length() - i, b.length() - j);
    // Equal up to padding ("f01" vs "f1"): fall back to plain order to stay consistent.
    return byRest != 0 ? byRest : a.compareTo(b);
  }

  private static String strip(String digits) {
    int k = 0;
    while (k < digits.length() - 1 && digits.charAt(k) == '0') {
      k++;
    }
    return digits.substring(k);
  }
}
