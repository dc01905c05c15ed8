/**
 * What release_handler needs besides the relup, for a release mix assembled:
 *  - releases/NAME-VSN.rel: unpack_release("NAME-VSN") reads it from the top of the tarball.
 *  - releases/RELEASES: this release alone, permanent, with lib dirs relative to the root (as
 *    create_RELEASES writes them with Root ""), so a node deployed from this tarball can be
 *    upgraded and later downgraded back to it. unpack_release extracts with keep_old_files and
 *    then rewrites RELEASES itself, so a later tarball's copy never overwrites a node's own.
 */
import type { Release } from "../read/release.js";
import { atom, list, str, tuple } from "../term/term.js";
import type { OutputFile } from "./write.js";
import { formatFile } from "../term/print.js";

export function releaseFiles(r: Release): OutputFile[] {
  const releases = list([
    tuple(
      atom("release"),
      str(r.name),
      str(r.vsn),
      str(r.erts),
      list(r.apps.map((a) => tuple(atom(a.name), str(a.vsn), str(a.dir)))),
      atom("permanent"),
    ),
  ]);
  return [
    {
      path: `releases/${r.name}-${r.vsn}.rel`,
      text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(r.source.read(r.relPath)),
    },
    { path: "releases/RELEASES", text: formatFile(releases) },
  ];
}
