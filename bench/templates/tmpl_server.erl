%% Template of a gen_server calling into another module.
-module(tmpl_server).
-behaviour(gen_server).
-export([start_link/0, get/0, init/1, handle_call/3, handle_cast/2, code_change/3]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, 0, []).
get() -> gen_server:call(?MODULE, get).
init(N) -> {ok, N}.
handle_call(get, _From, N) -> {reply, tmpl_dep_a:run(N), N + 1}.
handle_cast(_Msg, N) -> {noreply, tmpl_dep_b:info(), N}.
code_change(_Old, N, _Extra) -> {ok, N}.
