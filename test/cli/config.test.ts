// Config files (cli/config.ts): JSON and YAML read into plain data, `--set` overrides, and one schema parse
// whose errors name the file, the field, what is wrong and what is allowed there.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, applySets, loadConfig, loadConfigFile, parseConfig } from "../../cli/config.js";
import { closest } from "../../errors.js";
import { TrancheError } from "../../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tranche-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// A small evaluation-shaped schema: a market chosen by kind, a list of policies, a seed.
const schema = z
  .object({
    market: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("poisson"), ratePerS: z.number().positive().default(10) }).strict(),
      z.object({ kind: z.literal("lobster"), file: z.string() }).strict(),
    ]),
    policies: z.array(z.enum(["twap", "twap-passive", "vwap"])).min(1),
    seed: z.number().int().min(0).default(1),
    episodes: z.number().int().positive().optional(),
  })
  .strict();

/** The ConfigError `fn` throws. */
function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(TrancheError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfigFile", () => {
  it("reads the same config from JSON, .yaml and .yml", () => {
    const expected = { market: { kind: "poisson" }, policies: ["twap", "vwap"], seed: 3 };
    expect(loadConfigFile(file("a.json", JSON.stringify(expected)))).toEqual(expected);
    const yaml = "# the default market\nmarket:\n  kind: poisson\npolicies: [twap, vwap]\nseed: 3\n";
    expect(loadConfigFile(file("a.yaml", yaml))).toEqual(expected);
    expect(loadConfigFile(file("a.yml", yaml))).toEqual(expected);
  });

  it("names the path of a missing file", () => {
    const path = join(dir, "nope.yaml");
    const e = refusal(() => loadConfigFile(path));
    expect(e.code).toBe("CONFIG_NOT_FOUND");
    expect(e.message).toContain(path);
  });

  it("gives the line and column of invalid YAML and JSON", () => {
    const yaml = refusal(() => loadConfigFile(file("bad.yaml", "market:\n  kind: poisson\npolicies: [twap\n")));
    expect(yaml.code).toBe("CONFIG_PARSE");
    expect(yaml.line).toBeGreaterThanOrEqual(3);
    expect(yaml.message).toMatch(/bad\.yaml:\d+:\d+: invalid YAML/);
    const json = refusal(() => loadConfigFile(file("bad.json", '{\n  "market": {"kind": "poisson",}\n}\n')));
    expect(json.code).toBe("CONFIG_PARSE");
    expect([json.line, json.column]).toEqual([2, 32]);
    expect(json.message).toContain("bad.json:2:32: invalid JSON");
    const truncated = refusal(() => loadConfigFile(file("cut.json", '{"seed": ')));
    expect(truncated.line).toBe(1);
  });

  it("refuses a file that is neither JSON nor YAML by its name", () => {
    expect(refusal(() => loadConfigFile(file("a.toml", "seed = 1"))).code).toBe("CONFIG_PARSE");
  });
});

describe("applySets", () => {
  it("parses values as JSON when they parse and keeps them as strings otherwise", () => {
    const out = applySets({ market: { kind: "lobster", file: "x.arrow" } }, ["seed=3", "market.kind=poisson", 'policies=["twap"]', "flag=true", "name=twap passive", "none=null", "empty="]);
    expect(out).toEqual({ market: { kind: "poisson", file: "x.arrow" }, seed: 3, policies: ["twap"], flag: true, name: "twap passive", none: null, empty: "" });
  });

  it("creates the objects on a dotted path and leaves its input unchanged", () => {
    const input = { a: { keep: 1 } };
    expect(applySets(input, ["a.b.c=2", "x.y=z"])).toEqual({ a: { keep: 1, b: { c: 2 } }, x: { y: "z" } });
    expect(input).toEqual({ a: { keep: 1 } });
    expect(applySets(undefined, ["a=1"])).toEqual({ a: 1 });
  });

  it("indexes lists with whole numbers, appending one past the end", () => {
    expect(applySets({ l: [{ p: 1 }] }, ["l.0.p=2", "l.1=3"])).toEqual({ l: [{ p: 2 }, 3] });
    expect(refusal(() => applySets({ l: [1] }, ["l.5=2"])).message).toContain("past the end of the list (1 item)");
    expect(refusal(() => applySets({ l: [1] }, ["l.x=2"])).message).toContain("l is a list");
  });

  it("refuses a malformed --set, naming it", () => {
    for (const [set, text] of [
      ["seed", "expected key=value"],
      ["=3", "expected key=value"],
      ["a..b=1", "empty part"],
      ["__proto__.polluted=1", "cannot be a config key"],
    ]) {
      const e = refusal(() => applySets({}, [set]));
      expect(e.code).toBe("CONFIG_SET");
      expect(e.message).toContain(JSON.stringify(set));
      expect(e.message).toContain(text);
    }
    expect(refusal(() => applySets({ seed: 3 }, ["seed.x=1"])).message).toContain("seed is 3, not an object");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseConfig", () => {
  it("returns the typed config with the schema's defaults", () => {
    const config = parseConfig(schema, { market: { kind: "poisson" }, policies: ["twap"] }, "eval.yaml");
    expect(config).toEqual({ market: { kind: "poisson", ratePerS: 10 }, policies: ["twap"], seed: 1 });
  });

  it("names a misspelt key and suggests the closest allowed one", () => {
    const e = refusal(() => parseConfig(schema, { market: { kind: "poisson" }, policys: ["twap"] }, "eval.yaml"));
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toContain("eval.yaml");
    expect(e.issues).toContainEqual({ path: "policys", problem: expect.stringContaining('did you mean "policies"?') });
    expect(e.message).toContain("allowed: market, policies, seed, episodes");
    expect(e.hint).toContain("--set");
  });

  it("suggests keys of the union branch the data chose", () => {
    const e = refusal(() => parseConfig(schema, { market: { kind: "lobster", fiel: "x.arrow" }, policies: ["twap"] }, "eval.yaml"));
    expect(e.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["market.fiel", "market.file"]));
    expect(e.message).toContain('market.fiel: unknown key; did you mean "file"? (allowed: kind, file)');
    expect(e.message).toContain("market.file: required (a string)");
  });

  it("lists the allowed values of an enum and of a discriminator, with the closest", () => {
    const e = refusal(() => parseConfig(schema, { market: { kind: "poison" }, policies: ["twap", "vwop"] }, "eval.yaml"));
    expect(e.message).toContain('market.kind: must be one of "poisson", "lobster", got "poison"; did you mean "poisson"?');
    expect(e.message).toContain('policies.1: must be one of "twap", "twap-passive", "vwap", got "vwop"; did you mean "vwap"?');
    expect(e.message).toContain("2 problems");
  });

  it("says what type was expected and what bound was broken", () => {
    const e = refusal(() => parseConfig(schema, { market: { kind: "poisson", ratePerS: -1 }, policies: [], seed: "x", episodes: 1.5 }, "eval.yaml"));
    const problems = Object.fromEntries(e.issues.map((i) => [i.path, i.problem]));
    expect(problems["market.ratePerS"]).toBe("must be > 0, got -1");
    expect(problems.policies).toBe("must be at least 1 item, got 0 items");
    expect(problems.seed).toBe('expected a number, got "x"');
    expect(problems.episodes).toBe("expected a whole number, got 1.5");
    expect(refusal(() => parseConfig(schema, null, "eval.yaml")).message).toBe("eval.yaml: expected an object (mapping), got null");
  });

  it("does not suggest a key that is not close", () => {
    const e = refusal(() => parseConfig(schema, { market: { kind: "poisson" }, policies: ["twap"], zzzzzz: 1 }, "eval.yaml"));
    expect(e.message).not.toContain("did you mean");
    expect(closest("policys", ["market", "policies", "seed"])).toBe("policies");
    expect(closest("sede", ["seed"])).toBe("seed");
    expect(closest("xyz", ["seed"])).toBeUndefined();
  });
});

describe("loadConfig", () => {
  it("applies --set over the file, then the schema, and names both in errors", () => {
    const path = file("eval.yaml", "market:\n  kind: lobster\n  file: goog.arrow\npolicies: [twap]\n");
    expect(loadConfig(schema, { config: path, set: ["seed=9", 'policies=["vwap","twap"]'] })).toMatchObject({ seed: 9, policies: ["vwap", "twap"] });
    const e = refusal(() => loadConfig(schema, { config: path, set: ["market.kind=poisson"] }));
    expect(e.message).toContain(`${path} (with --set): market.file: unknown key`);
    expect(loadConfig(schema, { set: ["market.kind=poisson", "policies=[\"twap\"]"] }).market.kind).toBe("poisson");
  });
});
