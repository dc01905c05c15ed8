%% Template of a plain module; the generator renames tmpl_plain, tmpl_dep_a and tmpl_dep_b.
-module(tmpl_plain).
-export([run/1, info/0]).

run(X) -> {tmpl_dep_a:run(X), tmpl_dep_b:info(), X + 1}.
info() -> {?MODULE, [1, 2, 3], <<"text">>}.
