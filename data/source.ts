// Reading an input file whole, gunzipping it when its first bytes say gzip (whatever its name says), and
// fingerprinting it so the Arrow metadata can name exactly which bytes an import came from.
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataError } from "./errors.js";

/** An input file's content, decompressed. */
export interface SourceBytes {
  readonly path: string;
  /** Decompressed content. */
  readonly bytes: Uint8Array;
  /** SHA-256 of the file as stored (compressed if it is), hex. */
  readonly sha256: string;
  readonly gzip: boolean;
}

/** An OS error on reading, in words a user can act on. */
function readReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case "EACCES":
    case "EPERM":
      return "cannot be read: permission denied";
    case "ELOOP":
      return "is a symlink loop";
    case "EMFILE":
    case "ENFILE":
      return "cannot be opened: too many open files";
    case "EIO":
      return "cannot be read: an I/O error (a failing disk or network mount?)";
    default:
      return `cannot be read (${(e as Error).message})`;
  }
}

/**
 * Reads a whole regular file into a fresh, 8-byte aligned buffer (never a pooled Buffer slice). A FIFO,
 * device or socket is refused before it is opened: its size says nothing about its content, and a FIFO
 * without a writer would block forever.
 */
export function readWholeFile(path: string, what: string, fix: string): Uint8Array {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new DataError("FILE_NOT_FOUND", `${what} does not exist`, fix, { file: path });
    throw new DataError("UNREADABLE", `${what} ${readReason(e)}`, fix, { file: path });
  }
  if (st.isDirectory()) throw new DataError("FILE_NOT_FOUND", `${what} is a directory, not a file`, fix, { file: path });
  if (!st.isFile()) {
    const kind = st.isFIFO() ? "a pipe (FIFO)" : st.isCharacterDevice() || st.isBlockDevice() ? "a device" : st.isSocket() ? "a socket" : "not a regular file";
    throw new DataError("UNREADABLE", `${what} is ${kind}, not a regular file`, "write it to a file first; gzipped inputs are read as they are, so `<(zcat …)` is not needed", { file: path });
  }
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new DataError("UNREADABLE", `${what} ${readReason(e)}`, fix, { file: path });
  }
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === size ? bytes : bytes.subarray(0, read);
  } catch (e) {
    throw new DataError("UNREADABLE", `${what} ${readReason(e)}`, fix, { file: path });
  } finally {
    closeSync(fd);
  }
}

/** Reads an input file, gunzipping it if it starts with the gzip magic bytes 1f 8b. */
export function readSource(path: string, what: string): SourceBytes {
  const raw = readWholeFile(path, what, "check the path; input files may be gzipped (.gz) or plain text");
  const sha256 = createHash("sha256").update(raw).digest("hex");
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (!gzip) return { path, bytes: raw, sha256, gzip };
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(raw);
  } catch (e) {
    throw new DataError(
      "TRUNCATED",
      `${what} is gzip data that does not decompress (${(e as Error).message}): the file is truncated or corrupt`,
      "copy the file again and compare its sha256 with the one in the data README",
      { file: path },
    );
  }
  return { path, bytes, sha256, gzip };
}
