/**
 * What the fuzzer feeds: each target takes one mutated input and runs every reader (and, for the
 * pipeline target, the whole plan) that a file of that kind goes through.
 */
import { gzipSync } from "node:zlib";
import { appupText } from "../src/emit/appup.js";
import { relupText } from "../src/emit/relup.js";
import { parseAppup } from "../src/plan/appup.js";
import { classify, lingers } from "../src/plan/classify.js";
import { callsIn, identityCodeChange, records, structFields } from "../src/plan/state.js";
import { beamMd5, parseBeam } from "../src/read/beam.js";
import { decodeEtf } from "../src/read/etf.js";
import { moduleFacts } from "../src/read/facts.js";
import { readReleaseFrom } from "../src/read/release.js";
import { memorySource } from "../src/read/source.js";
import { readTar } from "../src/read/tar.js";
import { formatTerm } from "../src/term/print.js";
import { decodeConsultFile, parseOneTerm, parseTerms } from "../src/term/text.js";
import { upgrade } from "../src/upgrade.js";
import { releaseFiles } from "../test/helpers/memory.js";
import { mutate } from "./mutate.js";
import type { Rng } from "./rng.js";
import { OLD_RELEASE, RELEASE, beamSeeds, etfSeeds, releaseSeedFiles, tarSeeds, textSeeds } from "./seeds.js";
import { termTextCase } from "./term-text.js";

export interface Target {
  name: string;
  /** Makes the input of case `rng`'s next case. */
  input(rng: Rng): Uint8Array;
  /** Reads it as gen-appup would a file named `file`: throws only GenAppupError. */
  run(input: Uint8Array, file: string): void;
}

/**
 * Runs each step on its own, so that one refused part does not hide the rest; only GenAppupError
 * is an expected failure, and the first one is rethrown for the caller to check its message.
 */
function steps(...fns: (() => unknown)[]): void {
  let first: unknown;
  for (const fn of fns) {
    try {
      fn();
    } catch (e) {
      if ((e as Error).name !== "GenAppupError") throw e;
      first ??= e;
    }
  }
  if (first) throw first;
}

function readBeam(bytes: Uint8Array, file: string): void {
  const beam = parseBeam(bytes, file);
  steps(
    () => beamMd5(bytes, file),
    () => [beam.md5, beam.codeMd5, beam.module, beam.exports, beam.locals, beam.imports],
    () => [beam.attributes, beam.behaviours, beam.vsn, beam.onLoad, beam.loadsNif, beam.compileInfo, beam.meta],
    () => [beam.callsFuns, beam.callsItself, beam.namedAtoms, classify(beam), lingers(beam), structFields(beam)],
    () => beam.literals.map((t) => formatTermIfWritable(t)),
    () => {
      const forms = beam.abstractCode;
      if (forms) return [records(forms), identityCodeChange(forms), callsIn(forms, "init", 1)];
    },
    () => moduleFacts(bytes, file),
  );
}

/** Literals hold closures and pids, which are never written: only what can be written is. */
function formatTermIfWritable(t: Parameters<typeof formatTerm>[0]): void {
  try {
    formatTerm(t);
  } catch (e) {
    if (!/cannot be written|levels deep/.test((e as Error).message)) throw e;
  }
}

function fromSeeds(seeds: () => Uint8Array[]): (rng: Rng) => Uint8Array {
  let cached: Uint8Array[] | undefined;
  return (rng) => {
    cached ??= seeds();
    return mutate(rng, rng.pick(cached), cached);
  };
}

function readText(bytes: Uint8Array, file: string): void {
  const terms = parseTerms(decodeConsultFile(bytes, file), file);
  steps(
    () => terms.forEach(formatTermIfWritable),
    () => (terms.length === 1 ? appupText(parseAppup(terms[0]!, file)) : undefined),
  );
}

/** A release whose file `path` is replaced by the input. */
function releaseWith(path: string, input: Uint8Array) {
  const files = new Map(releaseSeedFiles());
  files.set(path, input);
  return readReleaseFrom(memorySource("fuzz:new", files), { vsn: RELEASE.vsn });
}

const RELEASE_TEXTS = [
  "lib/shop-0.2.0/ebin/shop.app",
  "lib/shop-0.2.0/ebin/shop.appup",
  "releases/0.2.0/shop.rel",
  "releases/0.2.0/consolidated/Elixir.Enumerable.Elixir.Shop.Cart.beam",
  "releases/0.2.0/sys.config",
  "lib/shop-0.2.0/ebin/Elixir.Shop.Server.beam",
  "lib/shop-0.2.0/ebin/Elixir.Shop.Sup.beam",
];

export function targets(cache: string): Target[] {
  const beams = () => beamSeeds(cache);
  let old: ReturnType<typeof readReleaseFrom> | undefined;
  return [
    { name: "beam", input: fromSeeds(beams), run: readBeam },
    {
      name: "beam-gz",
      input: (() => {
        const plain = fromSeeds(beams);
        const zipped = fromSeeds(() => beams().map((b) => gzipSync(b)));
        return (rng: Rng) => (rng.chance(0.5) ? gzipSync(plain(rng)) : zipped(rng));
      })(),
      run: readBeam,
    },
    { name: "etf", input: fromSeeds(() => etfSeeds(beams())), run: (b) => formatTermIfWritable(decodeEtf(b)) },
    {
      name: "text",
      input: (() => {
        const files = fromSeeds(textSeeds);
        return (rng: Rng) => (rng.chance(0.5) ? files(rng) : new TextEncoder().encode(termTextCase(rng).text));
      })(),
      run: readText,
    },
    {
      name: "appup",
      input: fromSeeds(() => [
        new TextEncoder().encode(RELEASE.apps[0]!.appup!),
        new TextEncoder().encode(appupText(parseAppup(parseOneTerm(RELEASE.apps[0]!.appup!, "seed"), "seed"))),
      ]),
      run: readText,
    },
    {
      name: "tar",
      input: fromSeeds(tarSeeds),
      run(bytes, file) {
        const { files, dirs } = readTar(bytes, file);
        readReleaseFrom(memorySource(file, files, dirs, "tar"));
      },
    },
    {
      name: "release",
      // One file of the new release mutated, then the whole plan: diff, appups, relup, their text.
      input(rng) {
        const path = rng.pick(RELEASE_TEXTS);
        const seed = releaseSeedFiles().get(path)!;
        return new Uint8Array([...new TextEncoder().encode(`${path}\n`), ...mutate(rng, seed, [seed])]);
      },
      run(bytes) {
        const nl = bytes.indexOf(10);
        const to = releaseWith(new TextDecoder().decode(bytes.subarray(0, nl)), bytes.subarray(nl + 1));
        old ??= readReleaseFrom(memorySource("fuzz:old", releaseFiles(OLD_RELEASE)), { vsn: OLD_RELEASE.vsn });
        const result = upgrade([old], to, { dryRun: true });
        if (result.relup) relupText(result.relup);
      },
    },
  ];
}
