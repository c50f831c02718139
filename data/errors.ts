// The one error class of the data layer: a stable code to branch on, and a message that names the file,
// the line, what is wrong with it and what to do about it.

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
  | "WRITE_FAILED";

/** Where a problem is: the file and, for text inputs, the 1-based line. */
export interface DataErrorLocation {
  readonly file?: string;
  readonly line?: number;
}

/**
 * A market-data file could not be read, imported or written.
 *
 * The message reads `<file>:<line>: <problem>. Fix: <fix>`; `file`, `line` and `fix` are also fields.
 */
export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly fix: string;

  constructor(code: DataErrorCode, problem: string, fix: string, where: DataErrorLocation = {}) {
    const place = where.file === undefined ? "" : where.line === undefined ? `${where.file}: ` : `${where.file}:${where.line}: `;
    super(`${place}${problem}. Fix: ${fix}`);
    this.name = "DataError";
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.fix = fix;
  }
}
