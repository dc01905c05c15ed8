-module(tmpl_sup_v2).
-behaviour(supervisor).
-export([start_link/0, init/1]).

start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
init([]) -> {ok, {#{strategy => one_for_one, intensity => 10}, [#{id => tmpl_dep_a, start => {tmpl_dep_a, start_link, []}}]}}.
