/**
 * Live nodes for the hot-upgrade tests: gen-appup verify's scratch nodes (src/verify/node.ts),
 * deployed under .cache/live, with the release_handler steps the round trips take one by one.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ScratchNode, q } from "../../src/verify/node.js";
import { CACHE, run } from "./erlang.js";

export class LiveNode {
  private constructor(private readonly n: ScratchNode) {}

  /** Extracts `tarball` into a fresh directory (writing RELEASES unless the tarball ships it). */
  static deploy(tarball: string, release: string, vsn: string, opts: { env?: Record<string, string> } = {}): LiveNode {
    mkdirSync(join(CACHE, "live"), { recursive: true });
    return new LiveNode(ScratchNode.deploy(tarball, release, vsn, { scratch: join(CACHE, "live"), env: opts.env }));
  }

  get dir(): string {
    return this.n.dir;
  }

  env(): NodeJS.ProcessEnv {
    return this.n.env();
  }

  start(): void {
    this.n.start();
  }

  eval(...exprs: string[]): string[] {
    return this.n.eval(...exprs);
  }

  restart(): void {
    this.n.restart();
  }

  stop(): void {
    this.n.stop();
  }

  /** Unpacks, installs and makes permanent the release in `tarball` (copied to releases/NAME-VSN.tar.gz). */
  upgrade(tarball: string, vsn: string): string[] {
    run("cp", [tarball, join(this.n.dir, "releases", `${this.n.release}-${vsn}.tar.gz`)]);
    return this.n.eval(
      `release_handler:unpack_release(${q(`${this.n.release}-${vsn}`)})`,
      `release_handler:install_release(${q(vsn)})`,
      `release_handler:make_permanent(${q(vsn)})`,
    );
  }

  downgrade(vsn: string): string[] {
    return this.n.eval(`release_handler:install_release(${q(vsn)})`);
  }
}
