// Config files for the commands: JSON or YAML, overridden field by field with `--set key=value`, then parsed
// once through the command's zod schema into a typed config. A config that does not parse is a ConfigError
// naming the file, the field, what is wrong and what is allowed there (a misspelt key gets the closest one).
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Command } from "commander";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { TrancheError, closest } from "../errors.js";

/**
 * Stable codes of {@link ConfigError}.
 *
 * - `CONFIG_NOT_FOUND`: the config file does not exist (or cannot be read).
 * - `CONFIG_PARSE`: the file is not valid JSON or YAML, or its name ends in neither.
 * - `CONFIG_SET`: a `--set` argument is not `key=value` with a usable dotted key.
 * - `CONFIG_INVALID`: the config does not fit the command's schema.
 */
export type ConfigErrorCode = "CONFIG_NOT_FOUND" | "CONFIG_PARSE" | "CONFIG_SET" | "CONFIG_INVALID";

/** One problem with a config: the field's dotted path (as `--set` writes it; "" for the whole config) and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly problem: string;
}

/** A config file or `--set` override could not be read or does not fit its schema. */
export class ConfigError extends TrancheError {
  declare readonly code: ConfigErrorCode;
  /** The file (or other source) the config came from. */
  readonly source: string;
  /** Each field that is wrong (CONFIG_INVALID); empty for the other codes. */
  readonly issues: readonly ConfigIssue[];
  /** 1-based line and column of a parse error (CONFIG_PARSE), when known. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: ConfigErrorCode, source: string, message: string, hint?: string, details: { issues?: readonly ConfigIssue[]; line?: number; column?: number } = {}) {
    super(code, message, hint);
    this.name = "ConfigError";
    this.source = source;
    this.issues = details.issues ?? [];
    this.line = details.line;
    this.column = details.column;
  }
}

// ---- reading a file -------------------------------------------------------------------------------

/** Reads a `.json`, `.yaml` or `.yml` config file into plain data (not yet checked against any schema). */
export function loadConfigFile(path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (ext !== ".json" && ext !== ".yaml" && ext !== ".yml") {
    throw new ConfigError("CONFIG_PARSE", path, `${path}: a config file must end in .json, .yaml or .yml`, "rename the file, or write the config as JSON or YAML");
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new ConfigError("CONFIG_NOT_FOUND", path, `${path}: config file not found`, "check the path (it is relative to the current folder)");
    throw new ConfigError("CONFIG_NOT_FOUND", path, `${path}: config file cannot be read (${code ?? (e as Error).message})`, "check that the path is a readable file");
  }
  return ext === ".json" ? parseJson(text, path) : parseYaml(text, path);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    // V8 says "… at position N" (Node 20) or "… (line L column C)" (Node 22).
    const lineColumn = /line (\d+) column (\d+)/.exec(message);
    const position = /at position (\d+)/.exec(message);
    let line: number | undefined;
    let column: number | undefined;
    if (lineColumn) [line, column] = [Number(lineColumn[1]), Number(lineColumn[2])];
    else if (position) ({ line, column } = lineAndColumn(text, Number(position[1])));
    else if (/end of JSON input/.test(message)) ({ line, column } = lineAndColumn(text, text.length));
    const problem = message.replace(/ in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new ConfigError("CONFIG_PARSE", path, `${where(path, line, column)}: invalid JSON: ${problem}`, "fix the JSON at that place (a .yaml file also accepts comments and unquoted keys)", { line, column });
  }
}

function parseYaml(text: string, path: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const { line, col: column } = lineCounter.linePos(first.pos[0]);
    const problem = first.message.split("\n")[0];
    throw new ConfigError("CONFIG_PARSE", path, `${where(path, line, column)}: invalid YAML: ${problem}`, "fix the YAML at that place", { line, column });
  }
  return doc.toJS();
}

const where = (path: string, line: number | undefined, column: number | undefined): string =>
  line === undefined ? path : `${path}:${line}:${column ?? 1}`;

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

// ---- --set key=value ------------------------------------------------------------------------------

// Keys that would reach an object's prototype instead of setting a field.
const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `config` with each `key=value` of `sets` applied, in order; `config` itself is not changed. The key is a
 * dotted path (`market.kind`); missing objects on the way are created; a whole-number part indexes an existing
 * array (`policies.0`, or one past its end to append). The value is parsed as JSON when it parses (`3`, `true`,
 * `null`, `["twap"]`, `{"a": 1}`) and kept as a string otherwise (`poisson`).
 */
export function applySets(config: unknown, sets: readonly string[]): unknown {
  let root: unknown = config === undefined || config === null ? {} : structuredClone(config);
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw setError(set, "expected key=value, e.g. --set market.kind=poisson");
    const key = set.slice(0, eq);
    const parts = key.split(".");
    if (parts.some((p) => p === "")) throw setError(set, `"${key}" has an empty part; write the path as a.b.c`);
    const bad = parts.find((p) => FORBIDDEN_KEYS.has(p));
    if (bad !== undefined) throw setError(set, `"${bad}" cannot be a config key`);
    root = setPath(root, parts, parseSetValue(set.slice(eq + 1)), set);
  }
  return root;
}

function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setPath(root: unknown, parts: readonly string[], value: unknown, set: string): unknown {
  if (!isPlainObject(root) && !Array.isArray(root)) throw setError(set, `the config is ${describeValue(root)}, not an object`);
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const at = parts.slice(0, i + 1).join(".");
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(part)) throw setError(set, `${parts.slice(0, i).join(".")} is a list: index it with a number (${parts.slice(0, i).join(".")}.0)`);
      const index = Number(part);
      if (index > node.length) throw setError(set, `${at}: index ${index} is past the end of the list (${node.length} item${node.length === 1 ? "" : "s"})`);
      if (last) node[index] = value;
      else {
        const next: unknown = node[index];
        if (next === undefined) node[index] = {};
        else if (!isPlainObject(next) && !Array.isArray(next)) throw setError(set, `${at} is ${describeValue(next)}, not an object`);
        node = node[index] as Record<string, unknown> | unknown[];
      }
    } else {
      if (last) node[part] = value;
      else {
        const next = Object.hasOwn(node, part) ? node[part] : undefined;
        if (next === undefined || next === null) node[part] = {};
        else if (!isPlainObject(next) && !Array.isArray(next)) throw setError(set, `${at} is ${describeValue(next)}, not an object`);
        node = node[part] as Record<string, unknown> | unknown[];
      }
    }
  }
  return root;
}

const setError = (set: string, problem: string): ConfigError =>
  new ConfigError("CONFIG_SET", "--set", `--set ${JSON.stringify(set)}: ${problem}`, "write --set <dotted.key>=<value>; the value is JSON when it parses, else a string");

// ---- the schema -----------------------------------------------------------------------------------

/**
 * Parses `raw` with `schema` (use `.strict()` objects so that a misspelt key is an error, not ignored) and
 * returns the typed config, or throws CONFIG_INVALID naming every field that is wrong, with `source` (the file)
 * in the message.
 */
export function parseConfig<T>(schema: z.ZodType<T>, raw: unknown, source: string): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => describeIssue(schema, raw, issue as z.core.$ZodIssue, []));
  const lines = issues.map((i) => (i.path === "" ? i.problem : `${i.path}: ${i.problem}`));
  const message = lines.length === 1 ? `${source}: ${lines[0]}` : `${source}: ${lines.length} problems:\n  ${lines.join("\n  ")}`;
  throw new ConfigError("CONFIG_INVALID", source, message, "correct the field in the file, or override it with --set <field>=<value>", { issues });
}

/**
 * The config a command runs with: the file (if any), then each `--set`, through the schema. `source` in
 * errors is the file name, with "(with --set)" when overrides were applied.
 */
export function loadConfig<T>(schema: z.ZodType<T>, options: { config?: string; set?: readonly string[] }): T {
  const sets = options.set ?? [];
  const raw = applySets(options.config === undefined ? {} : loadConfigFile(options.config), sets);
  const source = options.config === undefined ? "the config (from --set)" : sets.length > 0 ? `${options.config} (with --set)` : options.config;
  return parseConfig(schema, raw, source);
}

/** Adds `-c, --config <file>` and the repeatable `--set <key=value>` to a command; read them back with {@link loadConfig}. */
export function addConfigOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "config file (.json, .yaml or .yml)")
    .option("--set <key=value>", "override one config field, e.g. --set market.kind=poisson (repeatable; the value is JSON when it parses)", (v: string, all: string[]) => [...all, v], [] as string[]);
}

type PathPart = PropertyKey;

const formatPath = (path: readonly PathPart[]): string => path.map(String).join(".");

function valueAt(raw: unknown, path: readonly PathPart[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

/** A value as an error message shows it: `"abc"`, `3`, `null`, `a list`, `an object`. */
function describeValue(v: unknown): string {
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object" && v !== null) return "an object";
  const text = typeof v === "string" ? JSON.stringify(v) : String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

const quoteAll = (values: readonly unknown[]): string => values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v))).join(", ");

const TYPE_NAMES: Record<string, string> = { object: "an object (mapping)", array: "a list", int: "a whole number", number: "a number", string: "a string", boolean: "true or false" };

function describeIssue(schema: z.ZodType, raw: unknown, issue: z.core.$ZodIssue, prefix: readonly PathPart[]): ConfigIssue[] {
  const path = [...prefix, ...issue.path];
  const at = formatPath(path);
  const value = valueAt(raw, path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const allowed = allowedKeysAt(schema, path, raw) ?? [];
        const close = closest(key, allowed);
        const suggestion = close === undefined ? "" : `; did you mean "${close}"?`;
        const list = allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "";
        return { path: formatPath([...path, key]), problem: `unknown key${suggestion}${list}` };
      });
    case "invalid_value": {
      const close = typeof value === "string" ? closest(value, issue.values.filter((v): v is string => typeof v === "string")) : undefined;
      const problem = issue.values.length === 1 ? `must be ${quoteAll(issue.values)}, got ${describeValue(value)}` : `must be one of ${quoteAll(issue.values)}, got ${describeValue(value)}`;
      return [{ path: at, problem: close === undefined ? problem : `${problem}; did you mean "${close}"?` }];
    }
    case "invalid_union": {
      // A discriminated union names its discriminator's values; a plain union shows the branch that came closest.
      if (issue.errors.length === 0 && "options" in issue && issue.options !== undefined && issue.options.length > 0) {
        const close = typeof value === "string" ? closest(value, issue.options.filter((v): v is string => typeof v === "string")) : undefined;
        const problem = `must be one of ${quoteAll(issue.options)}, got ${describeValue(value)}`;
        return [{ path: at, problem: close === undefined ? problem : `${problem}; did you mean "${close}"?` }];
      }
      const branches = issue.errors.filter((b) => b.length > 0);
      if (branches.length === 0) return [{ path: at, problem: issue.message }];
      // The closest branch: fewest issues that are not a wrong type at the union itself.
      const score = (b: readonly z.core.$ZodIssue[]) => b.length + (b.some((i) => i.path.length === 0 && i.code === "invalid_type") ? 1000 : 0);
      const best = branches.reduce((a, b) => (score(b) < score(a) ? b : a));
      if (score(best) >= 1000) return [{ path: at, problem: `got ${describeValue(value)}, which fits none of its ${branches.length} forms` }];
      return best.flatMap((i) => describeIssue(schema, raw, i, path));
    }
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return [{ path: at, problem: value === undefined ? `required (${expected})` : `expected ${expected}, got ${describeValue(value)}` }];
    }
    case "too_small": {
      const bound = issue.inclusive ? `>= ${issue.minimum}` : `> ${issue.minimum}`;
      const what = issue.origin === "array" ? `at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}` : issue.origin === "string" ? `at least ${issue.minimum} characters` : bound;
      return [{ path: at, problem: `must be ${what}, got ${describeSize(value)}` }];
    }
    case "too_big": {
      const bound = issue.inclusive ? `<= ${issue.maximum}` : `< ${issue.maximum}`;
      const what = issue.origin === "array" ? `at most ${issue.maximum} items` : issue.origin === "string" ? `at most ${issue.maximum} characters` : bound;
      return [{ path: at, problem: `must be ${what}, got ${describeSize(value)}` }];
    }
    default:
      return [{ path: at, problem: `${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}, got ${describeValue(value)}` }];
  }
}

const describeSize = (v: unknown): string => (Array.isArray(v) ? `${v.length} item${v.length === 1 ? "" : "s"}` : describeValue(v));

// ---- the keys a schema allows at a path -------------------------------------------------------------

/** The keys of the object schema at `path` (following the data through unions), or undefined if none is found. */
function allowedKeysAt(schema: z.ZodType, path: readonly PathPart[], raw: unknown): string[] | undefined {
  return keysAt(schema as unknown as z.core.$ZodTypes, path, raw, 0);
}

function keysAt(schema: z.core.$ZodTypes, path: readonly PathPart[], value: unknown, depth: number): string[] | undefined {
  if (depth > 64) return undefined;
  const def = schema._zod.def;
  const next = (s: z.core.$ZodType, rest: readonly PathPart[], v: unknown) => keysAt(s as z.core.$ZodTypes, rest, v, depth + 1);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return next(def.innerType, path, value);
    case "pipe":
      return next(def.in, path, value);
    case "lazy":
      return next(def.getter(), path, value);
    case "object": {
      if (path.length === 0) return Object.keys(def.shape);
      const field = def.shape[String(path[0])] ?? def.catchall;
      return field === undefined ? undefined : next(field, path.slice(1), child(value, path[0]));
    }
    case "array":
      return path.length === 0 ? undefined : next(def.element, path.slice(1), child(value, path[0]));
    case "record":
      return path.length === 0 ? undefined : next(def.valueType, path.slice(1), child(value, path[0]));
    case "tuple": {
      if (path.length === 0) return undefined;
      const item = def.items[Number(path[0])] ?? def.rest;
      return item === null || item === undefined ? undefined : next(item, path.slice(1), child(value, path[0]));
    }
    case "intersection": {
      const left = next(def.left, path, value);
      const right = next(def.right, path, value);
      return left === undefined && right === undefined ? undefined : [...new Set([...(left ?? []), ...(right ?? [])])];
    }
    case "union": {
      // The options the data is meant for: those whose literal fields (a `kind`) the data matches.
      const matching = def.options.filter((o) => literalFieldsMatch(o as z.core.$ZodTypes, value));
      const options = matching.length > 0 ? matching : def.options;
      const found = options.map((o) => next(o, path, value)).filter((k): k is string[] => k !== undefined);
      return found.length === 0 ? undefined : [...new Set(found.flat())];
    }
    default:
      return undefined;
  }
}

const child = (value: unknown, key: PathPart): unknown => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key as string] : undefined);

/** False when `value` is an object that gives a literal field of the object schema `option` another value. */
function literalFieldsMatch(option: z.core.$ZodTypes, value: unknown): boolean {
  if (option._zod.def.type !== "object" || !isPlainObject(value)) return true;
  for (const [key, field] of Object.entries(option._zod.def.shape)) {
    const f = field as z.core.$ZodTypes;
    if (f._zod.def.type === "literal" && key in value && !f._zod.def.values.includes(value[key] as never)) return false;
  }
  return true;
}
