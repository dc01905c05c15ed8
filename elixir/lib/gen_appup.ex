defmodule GenAppup do
  @moduledoc """
  A `mix release` step that makes the release hot-upgradable with gen-appup:

      # mix.exs
      {:gen_appup, path: "node_modules/gen-appup/elixir", runtime: false}
      releases: [my_app: [steps: [:assemble, &GenAppup.step/1, :tar]]]

  All the work is done by gen-appup's CLI, found next to this project inside the npm package.
  Options (`releases: [my_app: [gen_appup: [...]]]`):

    * `:from` - the release(s) to upgrade from: a release root, a `releases/VSN` directory or a
      tarball, or a list of them. Default: `$GEN_APPUP_FROM` (several joined with `:`), else the
      highest version below the new one already assembled in the same release root, else none
      (a first release).
    * `:patch_only` - hot-upgrade only when major.minor are equal; otherwise a cold deploy.
    * `:appups` - directory of hand-written appups, `APP/FROM_to_TO.appup` (default `rel/appups`).
    * `:keep_appups` - copy the generated appups into that directory for review and editing.
    * `:purge` - `:soft_purge` or `:brutal_purge` for every module (default: brutal_purge, but
      soft_purge for modules whose processes may linger in their old code).
    * `:purge_modules` - per-module purge modes, `[{MyApp.Acceptor, :soft_purge}]`.
    * `:rules` - transform rules, `[{Phoenix.LiveView, Phoenix.LiveView.Channel}]`: when a module
      with that behaviour (or a name matching it, `*` for any text) changes, also update that
      process module.
    * `:phoenix` - `false` turns off the built-in rules for Phoenix channels and LiveViews.
    * `:runtime_config` - `false` leaves runtime configuration (runtime.exs) to you.
    * `:extra_versions` - `true` passes `[from: old, to: new]` as `Extra` to `code_change/3`.
    * `:endpoint_manifest` - `true`: when `priv/static/cache_manifest.json` changes, the appup calls
      the Phoenix endpoint's `config_change/2` so it reads the new manifest.
    * `:verify` - `true`, or `[load: "fun() -> ... end", checks: ["Expr", ...], restarted: [name],
      env: false]` (Erlang text; `env: false` skips the cold restarts): after writing, rehearse the upgrade from the old release's tarball on a
      scratch node (`gen-appup verify`); a failed rehearsal fails `mix release` with its report.
    * `:extra` - `Extra` of `{advanced, Extra}` as Erlang text; `:relup` - `false` writes the appups
      only; `:dry_run`, `:strict`, `:allow_unbumped`, `:allow_unverified`, `:allow` (finding codes):
      as the CLI's options of those names.
    * `:deployex` - also write `jellyfish.json` beside each appup, which DeployEx reads to choose a
      hot upgrade (it makes the relup on the target from the appups).
    * `:cli` - the path to gen-appup's CLI (default `$GEN_APPUP_CLI`, else found: see `command/1`).
    * `:node` - the node executable (default `$GEN_APPUP_NODE`, else `node`).
  """

  # The CLI start/1 started, in the process that runs the release's steps.
  @started {__MODULE__, :started}

  # This shim's version: the npm package's, which npx fetches when nothing local is found.
  @version Mix.Project.config()[:version]

  @doc "The release step: runs after `:assemble`, before `:tar`."
  def step(%Mix.Release{} = release) do
    opts = Keyword.get(release.options, :gen_appup, [])
    args = step_args(release.path, opts)
    what = if opts[:relup] == false, do: "appups", else: "appups and relup"
    info("generating", "#{what} for #{release.name} #{release.version}")
    {output, status} = run(args, opts)
    if status != 0, do: Mix.raise(failure(output, status))
    if verify = opts[:verify], do: verify!(release, opts, verify)
    release
  end

  @doc """
  An optional release step before `:assemble`: starts gen-appup's CLI, which waits for its
  arguments while the release is assembled, so that Node's start-up overlaps `:assemble` and
  `step/1` costs the plan alone: `steps: [&GenAppup.start/1, :assemble, &GenAppup.step/1, :tar]`.
  """
  def start(%Mix.Release{} = release) do
    Process.put(@started, open(["--await-args"], Keyword.get(release.options, :gen_appup, [])))
    release
  end

  @doc "The CLI arguments the step passes for the release at `path` with these `gen_appup` options."
  def step_args(path, opts) do
    appups = Path.expand(Keyword.get(opts, :appups, "rel/appups"))

    from(opts) ++
      [path, "--prepare"] ++
      if(opts[:patch_only], do: ["--patch-only"], else: []) ++
      if(File.dir?(appups), do: ["--appups", appups], else: []) ++
      if(opts[:keep_appups], do: ["--save-appups", appups], else: []) ++
      if(opts[:purge], do: ["--purge", to_string(opts[:purge])], else: []) ++
      Enum.flat_map(opts[:purge_modules] || [], fn {mod, mode} ->
        ["--purge-module", "#{name(mod)}=#{mode}"]
      end) ++
      Enum.flat_map(opts[:rules] || [], fn {whn, mod} ->
        ["--rule", "#{name(whn)}=#{name(mod)}"]
      end) ++
      if(opts[:phoenix] == false, do: ["--no-phoenix"], else: []) ++
      if(opts[:runtime_config] == false, do: ["--no-runtime-config"], else: []) ++
      if(opts[:extra_versions], do: ["--extra-versions"], else: []) ++
      if(opts[:endpoint_manifest], do: ["--endpoint-manifest"], else: []) ++
      if(opts[:extra], do: ["--extra", opts[:extra]], else: []) ++
      if(opts[:relup] == false, do: ["--no-relup"], else: []) ++
      if(opts[:dry_run], do: ["--dry-run"], else: []) ++
      if(opts[:strict], do: ["--strict"], else: []) ++
      if(opts[:allow_unbumped], do: ["--allow-unbumped"], else: []) ++
      if(opts[:allow_unverified], do: ["--allow-unverified"], else: []) ++
      if(opts[:deployex], do: ["--deployex"], else: []) ++
      Enum.flat_map(opts[:allow] || [], &["--allow", to_string(&1)])
  end

  @doc "Runs gen-appup's CLI with `args`, its output streamed through; returns its exit status."
  def cli(args, opts \\ []) do
    {_, status} = run(args, opts)
    status
  end

  # The CLI started by start/1 gets the step's arguments (once); anything else starts its own.
  defp run(args, opts) do
    port =
      case Process.delete(@started) do
        nil -> open(args, opts)
        started -> if Port.info(started), do: give(started, args), else: open(args, opts)
      end

    echo(port, [])
  end

  defp open(args, opts) do
    {executable, lead} = command(opts)
    Port.open({:spawn_executable, executable}, [:binary, :exit_status, :stderr_to_stdout, args: lead ++ args])
  end

  # The arguments of a started CLI: their count on a line, then each one followed by a NUL byte.
  defp give(port, args) do
    Port.command(port, ["#{length(args)}\n" | Enum.map(args, &[&1, 0])])
    port
  end

  # The CLI's output shown as it comes (a rehearsal takes seconds) and kept for the error message.
  # A port, not System.cmd's collectable: an implementation of Collectable here would change the
  # user's consolidated protocols.
  defp echo(port, seen) do
    receive do
      {^port, {:data, chunk}} ->
        IO.write(chunk)
        echo(port, [seen, chunk])

      {^port, {:exit_status, status}} ->
        {IO.iodata_to_binary(seen), status}
    end
  end

  # A step line as mix's own (`* assembling ...`): the verb in green when the terminal shows colours.
  defp info(verb, what), do: Mix.shell().info([:green, "* #{verb} ", :reset, what])

  @doc """
  How gen-appup's CLI is run: `{executable, leading_args}`. The first that applies: the `:cli`
  option or `$GEN_APPUP_CLI` (a path to the CLI); `node_modules/.bin/gen-appup` in the project or
  in its `assets/`; the npm package this shim sits in; else `npx --yes gen-appup@VERSION` (this
  shim's version). Node is needed only here: compiling and testing the project never runs it.
  """
  def command(opts \\ []) do
    cli =
      Enum.find(
        [opts[:cli], System.get_env("GEN_APPUP_CLI") | local_clis()],
        &(&1 && &1 != "" && File.exists?(&1))
      )

    cond do
      cli ->
        {node!(opts), [Path.expand(cli)]}

      npx = System.find_executable("npx") ->
        {npx, ["--yes", "gen-appup@#{@version}"]}

      true ->
        Mix.raise(
          "gen-appup: Node.js is needed to run gen-appup, and neither node_modules nor npx was found: " <>
            "install Node 20+ (and `npm install --save-dev gen-appup`), or set GEN_APPUP_CLI"
        )
    end
  end

  defp local_clis do
    root = File.cwd!()

    [
      Path.join(root, "node_modules/.bin/gen-appup"),
      Path.join(root, "assets/node_modules/.bin/gen-appup"),
      Path.expand("../../bin/gen-appup.cjs", __DIR__)
    ]
  end

  defp node!(opts) do
    node = opts[:node] || System.get_env("GEN_APPUP_NODE") || "node"

    System.find_executable(node) ||
      Mix.raise(
        "gen-appup: cannot find the node executable #{inspect(node)}: install Node.js 20+ or set GEN_APPUP_NODE"
      )
  end

  # The rehearsal: the old release (the first `from`, else the highest below in this root) booted
  # from its tarball on a scratch node, upgraded to the release just written, and back.
  defp verify!(release, opts, verify) do
    settings = if is_list(verify), do: verify, else: []

    args =
      ["verify" | Enum.take(from(opts), 1)] ++
        [release.path] ++
        if(settings[:load], do: ["--load", settings[:load]], else: []) ++
        Enum.flat_map(settings[:checks] || [], &["--eval", &1]) ++
        Enum.flat_map(settings[:restarted] || [], &["--restarted", to_string(&1)]) ++
        if(settings[:env] == false, do: ["--no-env"], else: [])

    info("rehearsing", "the upgrade on a scratch node (gen-appup verify)")
    {output, status} = run(args, opts)
    if status != 0, do: Mix.raise("gen-appup verify failed (exit #{status}):\n" <> output)
  end

  # A module as its atom's text (Elixir.Foo.Bar); a string is taken as it is (a name pattern).
  defp name(mod) when is_atom(mod), do: Atom.to_string(mod)
  defp name(mod) when is_binary(mod), do: mod

  defp from(opts) do
    case opts[:from] || System.get_env("GEN_APPUP_FROM") do
      nil ->
        []

      "" ->
        []

      paths when is_list(paths) ->
        Enum.map(paths, &Path.expand/1)

      paths when is_binary(paths) ->
        paths |> String.split(":", trim: true) |> Enum.map(&Path.expand/1)
    end
  end

  defp failure(output, status) do
    said = output |> String.split("\n") |> Enum.filter(&String.match?(&1, ~r/^(gen-appup:|error:)/))

    Enum.join(["gen-appup failed (exit #{status})" | said], "\n")
  end
end
