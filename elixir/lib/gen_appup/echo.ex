defmodule GenAppup.Echo do
  @moduledoc false
  # Collects a command's output while echoing it.
  defstruct seen: []

  defimpl Collectable do
    def into(echo) do
      {echo,
       fn
         acc, {:cont, chunk} ->
           IO.write(chunk)
           %{acc | seen: [acc.seen, chunk]}

         acc, :done ->
           acc

         _, :halt ->
           :ok
       end}
    end
  end
end
