defmodule Mix.Tasks.GenAppup do
  @shortdoc "Plans, inspects or rehearses a hot upgrade with gen-appup"
  @moduledoc """
  Runs gen-appup's CLI with the given arguments, from this project:

      mix gen_appup --dry-run              # the plan for the project's release, written nowhere
      mix gen_appup --json                 # the plan as JSON (and the files written)
      mix gen_appup inspect _build/prod/rel/my_app
      mix gen_appup verify                 # rehearse the upgrade on a scratch node

  Without a release path, the project's release root (`_build/MIX_ENV/rel/NAME`, the first release
  in `:releases`, else the application) is given. `mix gen_appup --help` lists every option.
  """
  use Mix.Task

  @impl true
  def run(args) do
    status = GenAppup.cli(with_release(args), Keyword.get(release_options(), :gen_appup, []))
    if status != 0, do: exit({:shutdown, status})
  end

  # The project's release root, added when no path is given (and help is not asked for).
  defp with_release(args) do
    {options, rest} = Enum.split_while(args, &(&1 != "--"))
    positional = Enum.reject(options, &String.starts_with?(&1, "-"))
    command = List.first(positional)
    paths = if command in ["inspect", "verify"], do: tl(positional), else: positional
    help = Enum.any?(options, &(&1 in ["--help", "-h", "--version", "-v"]))
    if paths == [] and rest == [] and not help, do: options ++ [release_root()], else: args
  end

  defp release_root do
    config = Mix.Project.config()
    name = config |> Keyword.get(:releases, []) |> List.first() |> then(&(&1 && elem(&1, 0))) || config[:app]
    Path.join([Mix.Project.build_path(), "rel", to_string(name)])
  end

  defp release_options do
    case Keyword.get(Mix.Project.config(), :releases, []) do
      [{_, opts} | _] -> opts
      _ -> []
    end
  end
end
