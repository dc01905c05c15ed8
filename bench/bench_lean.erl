%% The lean Erlang baseline: the least an Erlang generator can do. Every beam of both releases goes
%% through beam_lib:md5/1, and nothing else is read; each changed application gets an appup of
%% add_module, load_module and delete_module by md5 alone (no behaviours, no DepMods); then
%% systools:make_relup (as bench_baseline.erl calls it).
%%   erl -noshell -pa DIR -run bench_lean main OldRoot NewRoot OutDir -s init stop
-module(bench_lean).
-export([main/1]).

main([Old, New, Out]) ->
    OldApps = bench_baseline:apps(Old), NewApps = bench_baseline:apps(New),
    OldMods = md5s(Old, OldApps), NewMods = md5s(New, NewApps),
    [appup(New, A, V, proplists:get_value(A, OldApps), maps:get(A, OldMods), maps:get(A, NewMods))
     || {A, V} <- NewApps, proplists:is_defined(A, OldApps), proplists:get_value(A, OldApps) =/= V],
    bench_baseline:relup(Old, New, Out).

%% #{App => #{Module => Md5}} for every beam of every application.
md5s(Root, Apps) ->
    maps:from_list([{A, maps:from_list([begin {ok, MD} = beam_lib:md5(F), MD end
                                        || F <- filelib:wildcard(filename:join([Root, "lib", atom_to_list(A) ++ "-" ++ V, "ebin", "*.beam"]))])}
                    || {A, V} <- Apps]).

appup(New, App, Vsn, OldVsn, O, N) ->
    Up = [{add_module, M} || M <- maps:keys(N), not maps:is_key(M, O)]
        ++ [{load_module, M} || M <- maps:keys(N), maps:is_key(M, O), maps:get(M, N) =/= maps:get(M, O)]
        ++ [{delete_module, M} || M <- maps:keys(O), not maps:is_key(M, N)],
    bench_baseline:write_appup(New, App, Vsn, OldVsn, Up).
