%% Template of a supervisor whose child is another generated module.
-module(tmpl_sup).
-behaviour(supervisor).
-export([start_link/0, init/1]).

start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
init([]) -> {ok, {#{strategy => one_for_one}, [#{id => tmpl_dep_a, start => {tmpl_dep_a, start_link, []}}]}}.
