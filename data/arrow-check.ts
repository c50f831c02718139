// Checking an Arrow IPC file before apache-arrow parses it. The library trusts every length and offset in the
// file's flatbuffers, so a few flipped bytes can send it into a loop over billions of phantom fields; here every
// offset, vector length and buffer is checked against the file's size first, in time linear in the metadata.
// The same walk finds the `content_sha256` value that Tranche writes at import, so a reader can verify that
// the bytes are the ones written (a flip inside a column is well-framed and would otherwise read as data).
//
// Layout (Arrow columnar format, "IPC File Format"): "ARROW1\0\0", messages (each: 0xFFFFFFFF, int32
// metadata length, a Message flatbuffer, the body), the Footer flatbuffer, int32 footer length, "ARROW1".
// Flatbuffer encoding: https://flatbuffers.dev/internals/ — tables reach their vtable by a signed offset,
// every reference is an unsigned offset from where it is stored, vectors and strings start with a u32 length.
import { createHash } from "node:crypto";

/** Why a file is not a well-formed Arrow IPC file, and where: thrown by {@link checkArrowFile}. */
export class ArrowFramingError extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

/** The metadata key whose value is the hex SHA-256 of the file with that value written as 64 zeros. */
export const CHECKSUM_KEY = "content_sha256";
const CHECKSUM_HEX = 64;
const PLACEHOLDER = new Uint8Array(CHECKSUM_HEX).fill(0x30); // "000…0"

/** What the check found: the checksum value stored in the file (if any) and where its bytes are. */
export interface ArrowFileLayout {
  /** Record batches named by the footer. */
  batches: number;
  /** Rows over all batches. */
  rows: number;
  /** The stored checksum, or undefined if the schema metadata has no `content_sha256`. */
  checksum: string | undefined;
  /** Byte offsets of every copy of the checksum value (footer schema, and a stream schema message if any). */
  checksumAt: number[];
  /**
   * Set when the file is well framed as far as it was read but uses what Tranche files never do (a string
   * column, dictionaries, compression); the record batches were then not checked and must not be parsed.
   * A checksum that fails still means corruption: check it first.
   */
  unsupported: string | undefined;
}

// Arrow's flatbuffer enums used here (Schema.fbs, Message.fbs).
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
const TYPE_INT = 2;
const TYPE_NAMES = [
  "NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time", "Timestamp", "Interval",
  "List", "Struct", "Union", "FixedSizeBinary", "FixedSizeList", "Map", "Duration", "LargeBinary", "LargeUtf8",
  "LargeList", "RunEndEncoded", "BinaryView", "Utf8View", "ListView", "LargeListView",
];
const MAX_FIELDS = 100_000;

/** A bounds-checked flatbuffer reader over `[start, end)` of a file. */
class Flat {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
    readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  private need(at: number, size: number, thing: string): void {
    if (!(at >= this.start && at + size <= this.end)) {
      throw new ArrowFramingError(`${this.what}: ${thing} at byte ${at} (${size} bytes) lies outside the metadata [${this.start}, ${this.end})`);
    }
  }

  u8(at: number): number {
    this.need(at, 1, "a value");
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    this.need(at, 2, "a value");
    return this.view.getUint16(at, true);
  }
  i32(at: number): number {
    this.need(at, 4, "a value");
    return this.view.getInt32(at, true);
  }
  u32(at: number): number {
    this.need(at, 4, "an offset");
    return this.view.getUint32(at, true);
  }
  /** An int64 as a number; refuses values beyond 2^53 (no Arrow length or offset in a real file is). */
  i64(at: number, thing: string): number {
    this.need(at, 8, thing);
    const v = this.view.getBigInt64(at, true);
    if (v < -(2n ** 53n) || v > 2n ** 53n) throw new ArrowFramingError(`${this.what}: ${thing} is ${v}, beyond any file size`);
    return Number(v);
  }

  /** The table the root offset at `start` names. */
  root(): FlatTable {
    return this.table(this.start + this.u32(this.start), "root table");
  }

  table(at: number, thing: string): FlatTable {
    this.need(at, 4, thing);
    const vtable = at - this.i32(at);
    this.need(vtable, 4, `the vtable of ${thing}`);
    const vtableSize = this.u16(vtable);
    const tableSize = this.u16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new ArrowFramingError(`${this.what}: the vtable of ${thing} has size ${vtableSize}`);
    this.need(vtable, vtableSize, `the vtable of ${thing}`);
    this.need(at, Math.max(tableSize, 4), thing);
    return new FlatTable(this, at, vtable, vtableSize, tableSize, thing);
  }

  /** Where the u32 offset stored at `at` points. */
  deref(at: number, thing: string): number {
    const target = at + this.u32(at);
    this.need(target, 4, thing);
    return target;
  }

  /** A vector's first element and length, checked to fit. */
  vector(at: number, elementSize: number, thing: string): { first: number; length: number } {
    const length = this.u32(at);
    this.need(at + 4, length * elementSize, `${thing} (${length} elements)`);
    return { first: at + 4, length };
  }

  string(at: number, thing: string): { first: number; length: number; text: string } {
    const { first, length } = this.vector(at, 1, thing);
    return { first, length, text: Buffer.from(this.bytes.buffer, this.bytes.byteOffset + first, length).toString("utf8") };
  }
}

/** One flatbuffer table: its fields by index, each checked to lie inside the table. */
class FlatTable {
  constructor(
    readonly flat: Flat,
    readonly at: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly tableSize: number,
    readonly thing: string,
  ) {}

  /** The absolute position of field `i`, or undefined if absent. */
  field(i: number, size: number): number | undefined {
    if (4 + 2 * i >= this.vtableSize) return undefined;
    const offset = this.flat.u16(this.vtable + 4 + 2 * i);
    if (offset === 0) return undefined;
    if (offset + size > this.tableSize) throw new ArrowFramingError(`${this.flat.what}: field ${i} of ${this.thing} overruns its table`);
    return this.at + offset;
  }

  u8(i: number, fallback: number): number {
    const p = this.field(i, 1);
    return p === undefined ? fallback : this.flat.u8(p);
  }
  i16(i: number, fallback: number): number {
    const p = this.field(i, 2);
    return p === undefined ? fallback : (this.flat.u16(p) << 16) >> 16;
  }
  i32(i: number, fallback: number): number {
    const p = this.field(i, 4);
    return p === undefined ? fallback : this.flat.i32(p);
  }
  i64(i: number, fallback: number, thing: string): number {
    const p = this.field(i, 8);
    return p === undefined ? fallback : this.flat.i64(p, thing);
  }
  table(i: number, thing: string): FlatTable | undefined {
    const p = this.field(i, 4);
    return p === undefined ? undefined : this.flat.table(this.flat.deref(p, thing), thing);
  }
  vector(i: number, elementSize: number, thing: string): { first: number; length: number } {
    const p = this.field(i, 4);
    return p === undefined ? { first: 0, length: 0 } : this.flat.vector(this.flat.deref(p, thing), elementSize, thing);
  }
  /** The tables of a vector of tables. */
  tables(i: number, thing: string): FlatTable[] {
    const v = this.vector(i, 4, thing);
    const out: FlatTable[] = [];
    for (let k = 0; k < v.length; k++) {
      const slot = v.first + 4 * k;
      out.push(this.flat.table(this.flat.deref(slot, thing), `${thing}[${k}]`));
    }
    return out;
  }
  string(i: number, thing: string): { first: number; length: number; text: string } | undefined {
    const p = this.field(i, 4);
    return p === undefined ? undefined : this.flat.string(this.flat.deref(p, thing), thing);
  }
}

/** An integer column's layout as the schema declares it. */
interface IntField {
  name: string;
  bitWidth: number;
}

/** What the schema walk has found so far. */
interface SchemaFindings {
  checksum?: string;
  at: number[];
  unsupported?: string;
}

/** Reads and checks a Schema table: integer fields only, no nesting, no dictionaries; finds the checksum value. */
function readSchema(schema: FlatTable, found: SchemaFindings): IntField[] {
  const fields = schema.tables(1, "schema fields");
  if (fields.length > MAX_FIELDS) throw new ArrowFramingError(`the schema declares ${fields.length} fields`);
  const out: IntField[] = [];
  for (const [k, field] of fields.entries()) {
    const name = field.string(0, `name of field ${k}`)?.text ?? `#${k}`;
    const typeId = field.u8(2, 0);
    if (typeId !== TYPE_INT) {
      found.unsupported ??= `column "${name}" has Arrow type ${TYPE_NAMES[typeId] ?? typeId}; Tranche files hold only integer columns`;
      continue;
    }
    const type = field.table(3, `type of field "${name}"`);
    const bitWidth = type?.i32(0, 0) ?? 0;
    if (![8, 16, 32, 64].includes(bitWidth)) throw new ArrowFramingError(`column "${name}" declares an integer of ${bitWidth} bits`);
    if (field.field(4, 4) !== undefined) found.unsupported ??= `column "${name}" is dictionary-encoded; Tranche files are not`;
    if (field.vector(5, 4, `children of "${name}"`).length > 0) throw new ArrowFramingError(`integer column "${name}" has child fields`);
    out.push({ name, bitWidth });
  }
  for (const [k, kv] of schema.tables(2, "schema metadata").entries()) {
    const key = kv.string(0, `metadata key ${k}`);
    const value = kv.string(1, `metadata value ${k}`);
    if (key?.text !== CHECKSUM_KEY || value === undefined) continue;
    if (value.length !== CHECKSUM_HEX || !/^[0-9a-f]{64}$/.test(value.text)) throw new ArrowFramingError(`the ${CHECKSUM_KEY} value is not 64 hex digits`);
    if (found.checksum !== undefined && found.checksum !== value.text) throw new ArrowFramingError(`the two copies of ${CHECKSUM_KEY} differ`);
    found.checksum = value.text;
    found.at.push(value.first);
  }
  return out;
}

/** Checks one record batch message against the schema and its body's place in the file; returns its rows. */
function checkRecordBatch(bytes: Uint8Array, block: { offset: number; metaLength: number; bodyLength: number }, index: number, fields: IntField[], footerStart: number): number {
  const what = `record batch ${index}`;
  const { offset, metaLength, bodyLength } = block;
  if (offset < 8 || metaLength < 8 || bodyLength < 0 || offset + metaLength + bodyLength > footerStart) {
    throw new ArrowFramingError(`${what} claims bytes ${offset}..${offset + metaLength + bodyLength}, outside the data section (8..${footerStart})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(offset, true) !== 0xffffffff) throw new ArrowFramingError(`${what} at byte ${offset} does not start with the IPC continuation marker`);
  const flatLength = view.getInt32(offset + 4, true);
  if (flatLength <= 0 || 8 + flatLength > metaLength) throw new ArrowFramingError(`${what}: metadata length ${flatLength} does not fit its block (${metaLength} bytes)`);
  const flat = new Flat(bytes, offset + 8, offset + 8 + flatLength, what);
  const message = flat.root();
  if (message.u8(1, 0) !== HEADER_RECORD_BATCH) throw new ArrowFramingError(`${what} is not a record batch message`);
  if (message.i64(3, 0, "body length") !== bodyLength) throw new ArrowFramingError(`${what}: the message's body length differs from the footer's`);
  const batch = message.table(2, "record batch header");
  if (!batch) throw new ArrowFramingError(`${what} has no header`);
  const rows = batch.i64(0, 0, "row count");
  if (rows < 0) throw new ArrowFramingError(`${what} has ${rows} rows`);
  if (batch.field(3, 4) !== undefined) throw new ArrowFramingError(`${what} is compressed; Tranche files never are`);
  const nodes = batch.vector(1, 16, "field nodes");
  const buffers = batch.vector(2, 16, "buffers");
  if (nodes.length !== fields.length || buffers.length !== 2 * fields.length) {
    throw new ArrowFramingError(`${what} has ${nodes.length} field nodes and ${buffers.length} buffers for ${fields.length} integer columns`);
  }
  for (const [k, field] of fields.entries()) {
    const length = flat.i64(nodes.first + 16 * k, "a column length");
    const nulls = flat.i64(nodes.first + 16 * k + 8, "a null count");
    if (length !== rows || nulls < 0 || nulls > rows) throw new ArrowFramingError(`${what}: column "${field.name}" has ${length} values and ${nulls} nulls in a batch of ${rows} rows`);
    for (const part of [0, 1]) {
      const at = buffers.first + 16 * (2 * k + part);
      const start = flat.i64(at, "a buffer offset");
      const size = flat.i64(at + 8, "a buffer length");
      if (start < 0 || size < 0 || start + size > bodyLength) throw new ArrowFramingError(`${what}: a buffer of column "${field.name}" lies outside the body`);
      const needed = part === 0 ? (nulls > 0 ? Math.ceil(rows / 8) : 0) : (rows * field.bitWidth) / 8;
      if (size < needed) throw new ArrowFramingError(`${what}: column "${field.name}" has a ${size}-byte ${part === 0 ? "validity" : "value"} buffer for ${rows} rows`);
    }
  }
  return rows;
}

/**
 * Checks the framing of an Arrow IPC file (both magics, the footer, every record batch's metadata and buffers)
 * against the file's size, without trusting any length in it. Throws {@link ArrowFramingError}.
 */
export function checkArrowFile(bytes: Uint8Array): ArrowFileLayout {
  const size = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const footerLength = view.getInt32(size - 10, true);
  const footerStart = size - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) throw new ArrowFramingError(`the footer length ${footerLength} does not fit a ${size}-byte file`);
  const footer = new Flat(bytes, footerStart, size - 10, "footer").root();
  const found: SchemaFindings = { at: [] };
  const schema = footer.table(1, "footer schema");
  if (!schema) throw new ArrowFramingError("the footer has no schema");
  const fields = readSchema(schema, found);
  if (footer.vector(2, 24, "dictionary blocks").length > 0) found.unsupported ??= "the file has dictionary batches; Tranche files have none";
  // A stream schema message may precede the batches (other writers put one there): check it and its checksum copy.
  if (view.getUint32(8, true) === 0xffffffff && footerStart >= 16) {
    const flatLength = view.getInt32(12, true);
    if (flatLength > 0 && 16 + flatLength <= footerStart) {
      const message = new Flat(bytes, 16, 16 + flatLength, "schema message").root();
      if (message.u8(1, 0) === HEADER_SCHEMA) {
        const header = message.table(2, "schema message header");
        if (header) readSchema(header, found);
      }
    }
  }
  const blocks = footer.vector(3, 24, "record batch blocks");
  if (found.unsupported !== undefined) return { batches: blocks.length, rows: 0, checksum: found.checksum, checksumAt: found.at, unsupported: found.unsupported };
  const flat = new Flat(bytes, footerStart, size - 10, "footer");
  let rows = 0;
  for (let i = 0; i < blocks.length; i++) {
    const at = blocks.first + 24 * i;
    const block = { offset: flat.i64(at, "a block offset"), metaLength: flat.i32(at + 8), bodyLength: flat.i64(at + 16, "a block body length") };
    rows += checkRecordBatch(bytes, block, i, fields, footerStart);
  }
  return { batches: blocks.length, rows, checksum: found.checksum, checksumAt: found.at, unsupported: undefined };
}

/** SHA-256 of the file as written: every copy of the checksum value read as the 64-zero placeholder. */
export function contentDigest(bytes: Uint8Array, checksumAt: readonly number[]): string {
  const hash = createHash("sha256");
  let from = 0;
  for (const at of [...checksumAt].sort((a, b) => a - b)) {
    hash.update(bytes.subarray(from, at));
    hash.update(PLACEHOLDER);
    from = at + CHECKSUM_HEX;
  }
  hash.update(bytes.subarray(from));
  return hash.digest("hex");
}

/** The placeholder a writer puts in the `content_sha256` metadata before it knows the digest. */
export const CHECKSUM_PLACEHOLDER = "0".repeat(CHECKSUM_HEX);

/**
 * Seals an encoded Arrow file whose metadata holds {@link CHECKSUM_PLACEHOLDER}: writes the digest over every
 * copy of the placeholder, in place.
 */
export function sealArrowFile(bytes: Uint8Array): void {
  const layout = checkArrowFile(bytes);
  if (layout.checksum !== CHECKSUM_PLACEHOLDER || layout.checksumAt.length === 0) throw new Error(`sealArrowFile: no ${CHECKSUM_KEY} placeholder in the schema metadata`);
  const digest = Buffer.from(contentDigest(bytes, layout.checksumAt), "latin1");
  for (const at of layout.checksumAt) bytes.set(digest, at);
}
