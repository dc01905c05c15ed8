-module(tmpl_plain_v2).
-export([run/1, info/0]).

run(X) -> {tmpl_dep_a:run(X + 1), tmpl_dep_b:info(), X * 2}.
info() -> {?MODULE, [1, 2, 3, 4], <<"text v2">>}.
