defmodule Bank.MixProject do
  use Mix.Project

  def project do
    [
      app: :bank,
      version: "0.2.0",
      elixir: "~> 1.14",
      releases: [bank: [include_executables_for: [:unix], steps: [:assemble, :tar]]]
    ]
  end

  def application, do: [mod: {Bank.Application, []}, extra_applications: [:logger, :sasl]]
end
