defmodule Bank.Format do
  def money(cents), do: "$#{div(cents, 100)}.#{String.pad_leading(Integer.to_string(rem(cents, 100)), 2, "0")}"
end
