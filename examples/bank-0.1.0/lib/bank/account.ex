defmodule Bank.Account do
  @moduledoc "Version 0.1.0 keeps the balance as a bare integer."
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def deposit(amount), do: GenServer.call(__MODULE__, {:deposit, amount})
  def balance, do: GenServer.call(__MODULE__, :balance)
  def statement, do: GenServer.call(__MODULE__, :statement)

  @impl true
  def init(balance), do: {:ok, balance}

  @impl true
  def handle_call({:deposit, amount}, _from, balance), do: {:reply, :ok, balance + amount}
  def handle_call(:balance, _from, balance), do: {:reply, balance, balance}
  def handle_call(:statement, _from, balance), do: {:reply, Bank.Format.money(balance), balance}
end
