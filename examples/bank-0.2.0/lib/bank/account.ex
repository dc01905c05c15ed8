defmodule Bank.Account do
  @moduledoc "Version 0.2.0 keeps a map with the balance and the history of deposits."
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, %{balance: 0, history: []}, name: __MODULE__)
  def deposit(amount), do: GenServer.call(__MODULE__, {:deposit, amount})
  def balance, do: GenServer.call(__MODULE__, :balance)
  def statement, do: GenServer.call(__MODULE__, :statement)
  def history, do: GenServer.call(__MODULE__, :history)

  @impl true
  def init(state), do: {:ok, state}

  @impl true
  def handle_call({:deposit, amount}, _from, s),
    do: {:reply, :ok, %{s | balance: s.balance + amount - Bank.Fees.fee(amount), history: [amount | s.history]}}

  def handle_call(:balance, _from, s), do: {:reply, s.balance, s}
  def handle_call(:statement, _from, s), do: {:reply, Bank.Format.money(s.balance), s}
  def handle_call(:history, _from, s), do: {:reply, Enum.reverse(s.history), s}

  # The hot upgrade: 0.1.0's integer becomes 0.2.0's map; the downgrade turns it back.
  @impl true
  def code_change({:down, _vsn}, %{balance: balance}, _extra), do: {:ok, balance}
  def code_change(_vsn, balance, _extra) when is_integer(balance), do: {:ok, %{balance: balance, history: []}}
end
