/**
 * Progress of long loops: a terminal progress bar or plain log lines, chosen by whether the
 * process runs on a terminal ({@link dev.mmict.ops.progress.Progress#forConsole()}).
 */
package dev.mmict.ops.progress;
