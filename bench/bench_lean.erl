%% The lean Erlang baseline: the least an Erlang generator can do. Every beam of both releases goes
%% through beam_lib:md5/1, and nothing else is read; each changed application gets an appup of
%% add_module, load_module and delete_module by md5 alone (no behaviours, no DepMods); then
%% systools:make_relup.
%%   erl -noshell -pa DIR -run bench_lean main OldRoot NewRoot OutDir -s init stop
-module(bench_lean).
-export([main/1]).

main([Old, New, Out]) ->
    OldApps = apps(Old), NewApps = apps(New),
    OldMods = md5s(Old, OldApps), NewMods = md5s(New, NewApps),
    [appup(New, A, V, proplists:get_value(A, OldApps), maps:get(A, OldMods), maps:get(A, NewMods))
     || {A, V} <- NewApps, proplists:is_defined(A, OldApps), proplists:get_value(A, OldApps) =/= V],
    {ok, _, _, _} = systools:make_relup(rel(New), [rel(Old)], [rel(Old)],
                                        [{path, [filename:join(New, "lib/*/ebin"), filename:join(Old, "lib/*/ebin")]},
                                         {outdir, Out}, silent]),
    ok.

rel(Root) ->
    {ok, Data} = file:read_file(filename:join([Root, "releases", "start_erl.data"])),
    [_, Vsn] = string:lexemes(binary_to_list(Data), " "),
    filename:join([Root, "releases", Vsn, "bench"]).

apps(Root) ->
    {ok, [{release, _, _, Apps}]} = file:consult(rel(Root) ++ ".rel"),
    [{element(1, A), element(2, A)} || A <- Apps].

%% #{App => #{Module => Md5}} for every beam of every application.
md5s(Root, Apps) ->
    maps:from_list([{A, maps:from_list([begin {ok, MD} = beam_lib:md5(F), MD end
                                        || F <- filelib:wildcard(filename:join([Root, "lib", atom_to_list(A) ++ "-" ++ V, "ebin", "*.beam"]))])}
                    || {A, V} <- Apps]).

appup(New, App, Vsn, OldVsn, O, N) ->
    Up = [{add_module, M} || M <- maps:keys(N), not maps:is_key(M, O)]
        ++ [{load_module, M} || M <- maps:keys(N), maps:is_key(M, O), maps:get(M, N) =/= maps:get(M, O)]
        ++ [{delete_module, M} || M <- maps:keys(O), not maps:is_key(M, N)],
    Down = [case I of {add_module, M} -> {delete_module, M}; {delete_module, M} -> {add_module, M}; _ -> I end || I <- lists:reverse(Up)],
    File = filename:join([New, "lib", atom_to_list(App) ++ "-" ++ Vsn, "ebin", atom_to_list(App) ++ ".appup"]),
    ok = file:write_file(File, io_lib:format("~tp.~n", [{Vsn, [{OldVsn, Up}], [{OldVsn, Down}]}])).
