/** A release shaped as a Phoenix application's, made in memory: applications named and versioned as Phoenix's. */
import type { ModuleSpec, ReleaseModel } from "./memory.js";

const SERVER: ModuleSpec = { behaviours: ["gen_server"], exports: [["code_change", 3]] };

/** A Phoenix application's release: phoenix, phoenix_live_view at `lv`, and `web` with a LiveView and a channel. */
export function phoenixRelease(vsn: string, lv: string, code: string): ReleaseModel {
  return {
    name: "web",
    vsn,
    apps: [
      { name: "phoenix", vsn: "1.7.14", modules: { "Elixir.Phoenix.Channel.Server": SERVER } },
      { name: "phoenix_live_view", vsn: lv, modules: { "Elixir.Phoenix.LiveView.Channel": SERVER } },
      {
        name: "web",
        vsn,
        modules: {
          "Elixir.Web.CounterLive": { behaviours: ["Elixir.Phoenix.LiveView"], code },
          "Elixir.Web.RoomChannel": { behaviours: ["Elixir.Phoenix.Channel"], code },
          "Elixir.Web.Util": { code },
        },
      },
    ],
  };
}
