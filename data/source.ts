// Reading an input file whole, gunzipping it when its first bytes say gzip (whatever its name says), and
// fingerprinting it so the Arrow metadata can name exactly which bytes an import came from.
import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
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

/** Reads a whole file into a fresh, 8-byte aligned buffer (never a pooled Buffer slice). */
export function readWholeFile(path: string, what: string, fix: string): Uint8Array {
  if (!existsSync(path)) throw new DataError("FILE_NOT_FOUND", `${what} does not exist`, fix, { file: path });
  if (statSync(path).isDirectory()) throw new DataError("FILE_NOT_FOUND", `${what} is a directory, not a file`, fix, { file: path });
  const fd = openSync(path, "r");
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
