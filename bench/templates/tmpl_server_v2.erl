-module(tmpl_server_v2).
-behaviour(gen_server).
-export([start_link/0, get/0, init/1, handle_call/3, handle_cast/2, code_change/3]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, {0, []}, []).
get() -> gen_server:call(?MODULE, get).
init(S) -> {ok, S}.
handle_call(get, _From, {N, L}) -> {reply, tmpl_dep_a:run(N), {N + 1, [N | L]}}.
handle_cast(_Msg, S) -> {noreply, tmpl_dep_b:info(), S}.
code_change(_Old, N, _Extra) when is_integer(N) -> {ok, {N, []}}.
