defmodule Bank.Format do
  def money(cents), do: "#{cents} cents"
end
