// The one error class of the data layer: a stable code to branch on, and a message that names the file,
// the line, what is wrong with it and what to do about it. It is a TrancheError (../errors.ts).
import { TrancheError } from "../errors.js";

/**
 * Stable codes of {@link DataError}. Callers branch on these; the message text may change.
 *
 * - `FILE_NOT_FOUND`: an input or `.arrow` file does not exist.
 * - `NOT_ARROW`: a file that should be an Arrow IPC file is not one.
 * - `TRUNCATED`: an Arrow IPC file or a compressed input ends early.
 * - `WRONG_KIND`: an Arrow file holds a different table kind than the caller asked for.
 * - `MISSING_COLUMN`: an Arrow file lacks a column of its kind, or the column has the wrong type.
 * - `BAD_METADATA`: the Arrow schema metadata is missing a key or has an unreadable value.
 * - `BAD_ROW`: a CSV line is malformed: wrong column count, a non-integer, an unknown code.
 * - `TIME_DECREASES`: timestamps go backwards where the format promises they never do.
 * - `ROW_COUNT_MISMATCH`: two files that must line up row for row do not.
 * - `OFF_GRID`: a price or quantity is not a whole number of ticks or lots.
 * - `BAD_JSON`: a line of a JSON-lines feed cannot be parsed or lacks a field.
 * - `NO_SNAPSHOT`: a depth stream has no REST snapshot, so no book can be built from it.
 * - `MIXED_STREAMS`: one import mixes instruments or markets.
 * - `INVALID_OPTION`: a command-line option or function argument is out of range.
 * - `VERIFY_FAILED`: replay verification of an import found a mismatch.
 * - `COMPANION_MISMATCH`: two files of one import (e.g. messages and book) come from different imports.
 * - `WRITE_FAILED`: an output file could not be written.
 * - `CORRUPT`: an Arrow file's framing does not fit its size, or its content checksum does not match.
 * - `EMPTY_FILE`: an input file holds no records at all.
 * - `OUT_OF_RANGE`: a field parses but its value is outside its domain (a price ≤ 0, a time past 24 h, …).
 * - `INPUT_ORDER`: input files are given out of time order, overlap, or repeat one another.
 * - `OUTPUT_IS_INPUT`: an output file of an import (main or companion) is also one of its inputs.
 * - `UNREADABLE`: an input exists but cannot be read (permission, a pipe or device, an I/O error).
 */
export type DataErrorCode =
  | "FILE_NOT_FOUND"
  | "NOT_ARROW"
  | "TRUNCATED"
  | "WRONG_KIND"
  | "MISSING_COLUMN"
  | "BAD_METADATA"
  | "BAD_ROW"
  | "TIME_DECREASES"
  | "ROW_COUNT_MISMATCH"
  | "OFF_GRID"
  | "BAD_JSON"
  | "NO_SNAPSHOT"
  | "MIXED_STREAMS"
  | "INVALID_OPTION"
  | "VERIFY_FAILED"
  | "COMPANION_MISMATCH"
  | "WRITE_FAILED"
  | "CORRUPT"
  | "EMPTY_FILE"
  | "OUT_OF_RANGE"
  | "INPUT_ORDER"
  | "OUTPUT_IS_INPUT"
  | "UNREADABLE";

/** Where a problem is: the file and, for text inputs, the 1-based line. */
export interface DataErrorLocation {
  readonly file?: string;
  readonly line?: number;
}

/**
 * A market-data file could not be read, imported or written.
 *
 * The message reads `<file>:<line>: <problem>. Fix: <fix>`; `file`, `line` and `fix` are also fields.
 * `hint` stays unset: the fix is already in the message, and the CLI would print it twice.
 */
export class DataError extends TrancheError {
  declare readonly code: DataErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly fix: string;

  constructor(code: DataErrorCode, problem: string, fix: string, where: DataErrorLocation = {}) {
    const place = where.file === undefined ? "" : where.line === undefined ? `${escapeControls(where.file)}: ` : `${escapeControls(where.file)}:${where.line}: `;
    // Whatever a caller quoted from a file, no raw control byte reaches a terminal through this message.
    super(code, `${place}${escapeControls(problem)}. Fix: ${escapeControls(fix)}`);
    this.name = "DataError";
    this.file = where.file;
    this.line = where.line;
    this.fix = fix;
  }
}

// C0 controls, DEL and C1 controls (0x80–0x9f: 0x9b is a CSI on some terminals), the Unicode line and
// paragraph separators, and the bidirectional overrides and isolates: everything that can move a cursor,
// recolour a terminal, split a log line or make text read in another order than it is stored.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** `text` with every control character written as an escape (`\r`, `\n`, `\t`, `\x1b`, `\u2028`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Text taken from an input file, ready to echo inside a message: double-quoted, control characters escaped,
 * cut to `max` characters with an ellipsis (a corrupt file's "line" can be megabytes long).
 */
export function quoteInput(text: string, max = 80): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = escapeControls(cut).replace(/"/g, '\\"');
  return `"${escaped}"${text.length > max ? "…" : ""}`;
}
