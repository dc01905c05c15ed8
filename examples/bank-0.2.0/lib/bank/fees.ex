defmodule Bank.Fees do
  @moduledoc "New in 0.2.0: a 1% fee on deposits of 10,000 cents and more."
  def fee(amount) when amount >= 10_000, do: div(amount, 100)
  def fee(_amount), do: 0
end
