// TrancheError, the base of every error Tranche throws on purpose. Each part of the project subclasses it with
// its own codes: NativeError (native/), DataError (data/), EnvError and EnvCheckError (env/), PolicyError
// (agents/), StatsError (eval/), ConfigError (cli/config.ts). One `instanceof TrancheError` tells an expected
// refusal, whose message is meant for the user, from a bug.

/**
 * An error with a stable `code` to branch on, a message that says what is wrong, and an optional `hint` that
 * says what to do about it. The CLI prints `tranche <command>: <code>: <message>`, then `hint: <hint>`.
 */
export class TrancheError extends Error {
  /** Names the kind of failure; stable across versions, unlike the message text. Subclasses narrow it to their codes. */
  readonly code: string;
  /** What to do about it, when the message does not already say (an exact command, the allowed values). */
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = "TrancheError";
    this.code = code;
    this.hint = hint;
  }
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  // A third of the word may be wrong (at least 1, at most 3 edits): `policys` → `policies`, not `seed` → `side`.
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
