// Exact conversion of decimal strings ("61583.22000000") to whole numbers of ticks or lots. Float
// multiplication would turn 0.29 / 0.01 into 28.999999999999996; here digits are counted, never scaled.

/** A price or quantity grid: one step is `units × 10^−decimals` (tick "0.01" → units 1, decimals 2). */
export interface DecimalGrid {
  /** The step as given, normalised ("0.10" → "0.1"). */
  readonly text: string;
  readonly units: number;
  readonly decimals: number;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Parses a positive decimal step ("0.01", "1", "0.00001"); returns undefined if it is not one. */
export function parseGrid(text: string): DecimalGrid | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  let intPart = m[1].replace(/^0+(?=\d)/, "");
  let frac = (m[2] ?? "").replace(/0+$/, "");
  const digits = (intPart + frac).replace(/^0+/, "");
  if (digits === "" || digits.length > 15 || frac.length > 18) return undefined;
  const units = Number(digits);
  if (frac === "") intPart = String(Number(intPart));
  return { text: frac === "" ? intPart : `${intPart}.${frac}`, units, decimals: frac.length };
}

/**
 * The number of grid steps in the decimal string `s`, exactly, or `undefined` if `s` is not a plain decimal
 * (optional sign, digits, optional fraction: no exponent, no spaces) or is not a whole number of steps.
 */
export function decimalToSteps(s: string, grid: DecimalGrid): number | undefined {
  const n = s.length;
  let i = 0;
  let negative = false;
  if (n > 0 && (s.charCodeAt(0) === 45 /* - */ || s.charCodeAt(0) === 43) /* + */) {
    negative = s.charCodeAt(0) === 45;
    i = 1;
  }
  let mantissa = 0;
  let fracDigits = 0;
  let seenDot = false;
  let digits = 0;
  let significant = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (mantissa !== 0) significant++;
      if (seenDot) fracDigits++;
    } else if (c === 46 /* . */ && !seenDot) {
      seenDot = true;
    } else {
      return undefined;
    }
  }
  if (digits === 0) return undefined;
  if (significant > 15) return decimalToStepsBig(s, grid);
  // Trailing fraction zeros carry no value: drop them so the precision test below is exact.
  while (fracDigits > 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    fracDigits--;
  }
  // Every grid point is a multiple of 10^−decimals, so finer digits mean off the grid.
  if (fracDigits > grid.decimals) return undefined;
  const scaled = mantissa * POW10[grid.decimals - fracDigits];
  if (!Number.isSafeInteger(scaled)) return decimalToStepsBig(s, grid);
  if (scaled % grid.units !== 0) return undefined;
  const steps = scaled / grid.units;
  return negative && steps !== 0 ? -steps : steps;
}

/** The slow path for strings with more than 15 significant digits. */
function decimalToStepsBig(s: string, grid: DecimalGrid): number | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > grid.decimals) return undefined;
  const scaled = BigInt((m[2] || "0") + frac.padEnd(grid.decimals, "0"));
  const units = BigInt(grid.units);
  if (scaled % units !== 0n) return undefined;
  const steps = Number(scaled / units);
  if (!Number.isSafeInteger(steps)) return undefined;
  return m[1] === "-" && steps !== 0 ? -steps : steps;
}
