defmodule GenAppup.MixProject do
  use Mix.Project

  def project do
    [app: :gen_appup, version: "0.1.0", elixir: "~> 1.14", deps: []]
  end

  def application, do: []
end
