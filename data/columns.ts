// Filling Int64 columns from JavaScript numbers without a BigInt per value, and growable columns for
// importers that do not know their row count up front.

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/**
 * Writes the safe integer `v` into slot `i` of the BigInt64Array whose storage `words` views
 * (an Int32Array over the same buffer). Exact for |v| ≤ 2^53; callers check `Number.isSafeInteger` first.
 */
export function setInt64(words: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  const lo = v - hi * TWO_32;
  if (littleEndian) {
    words[2 * i] = lo | 0;
    words[2 * i + 1] = hi | 0;
  } else {
    words[2 * i] = hi | 0;
    words[2 * i + 1] = lo | 0;
  }
}

/** A BigInt64Array and an Int32Array view of the same buffer, for {@link setInt64}. */
export function int64Column(rows: number): { values: BigInt64Array; words: Int32Array } {
  const values = new BigInt64Array(rows);
  return { values, words: new Int32Array(values.buffer) };
}

/** An append-only Int64 column that doubles its storage as it grows. */
export class Int64ColumnBuilder {
  private values: BigInt64Array;
  private words: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.values = new BigInt64Array(capacity);
    this.words = new Int32Array(this.values.buffer);
  }

  /** Appends a safe integer. */
  push(v: number): void {
    if (this.length === this.values.length) this.grow();
    setInt64(this.words, this.length++, v);
  }

  pushBigInt(v: bigint): void {
    if (this.length === this.values.length) this.grow();
    this.values[this.length++] = v;
  }

  /** The filled part as an exactly sized array (one copy). */
  finish(): BigInt64Array {
    return this.values.slice(0, this.length);
  }

  private grow(): void {
    const next = new BigInt64Array(Math.max(16, this.values.length * 2));
    next.set(this.values);
    this.values = next;
    this.words = new Int32Array(next.buffer);
  }
}

/** An append-only Uint8 column that doubles its storage as it grows. */
export class Uint8ColumnBuilder {
  private values: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.values = new Uint8Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.values.length) {
      const next = new Uint8Array(Math.max(16, this.values.length * 2));
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = v;
  }

  finish(): Uint8Array {
    return this.values.slice(0, this.length);
  }
}
