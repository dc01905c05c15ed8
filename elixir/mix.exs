defmodule GenAppup.MixProject do
  use Mix.Project

  # Kept equal to the npm package's version: `npx gen-appup@VERSION` is the CLI when none is installed.
  @version "0.1.0"

  def project do
    [
      app: :gen_appup,
      version: @version,
      elixir: "~> 1.14",
      deps: [],
      description: "OTP hot upgrades for mix releases: appups, relup and a rehearsal, by the gen-appup CLI",
      package: [licenses: ["Apache-2.0"], files: ["lib", "mix.exs"], links: %{}]
    ]
  end

  def application, do: []
end
