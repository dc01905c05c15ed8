%% The Erlang baseline: what today's generators do. Every module of every application of both
%% releases goes through beam_lib:md5/1 and beam_lib:chunks(attributes); changed applications get
%% appups (added, deleted, changed by md5; behaviour from attributes; DepMods from imports); then
%% systools:make_relup.
%%   erl -noshell -pa DIR -run bench_baseline main OldRoot NewRoot OutDir -s init stop
-module(bench_baseline).
-export([main/1]).
%% Shared with the lean baseline (bench_lean.erl).
-export([relup/3, apps/1, write_appup/5]).

main([Old, New, Out]) ->
    OldApps = apps(Old), NewApps = apps(New),
    OldMods = modules(Old, OldApps), NewMods = modules(New, NewApps),
    [appup(New, A, V, proplists:get_value(A, OldApps), OldMods, NewMods)
     || {A, V} <- NewApps, proplists:is_defined(A, OldApps), proplists:get_value(A, OldApps) =/= V],
    relup(Old, New, Out).

relup(Old, New, Out) ->
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

%% #{App => #{Module => {Md5, Attributes, File}}} for every module of every application.
modules(Root, Apps) ->
    maps:from_list([{A, maps:from_list([begin
                                            {ok, {M, Md5}} = beam_lib:md5(F),
                                            {ok, {M, [{attributes, Attrs}]}} = beam_lib:chunks(F, [attributes]),
                                            {M, {Md5, Attrs, F}}
                                        end || F <- filelib:wildcard(filename:join([Root, "lib", atom_to_list(A) ++ "-" ++ V, "ebin", "*.beam"]))])}
                    || {A, V} <- Apps]).

appup(New, App, Vsn, OldVsn, OldMods, NewMods) ->
    O = maps:get(App, OldMods), N = maps:get(App, NewMods),
    Changed = [M || M <- maps:keys(N), maps:is_key(M, O), element(1, maps:get(M, N)) =/= element(1, maps:get(M, O))],
    Touched = Changed ++ [M || M <- maps:keys(N), not maps:is_key(M, O)],
    Up = [{add_module, M} || M <- maps:keys(N), not maps:is_key(M, O)]
        ++ [instruction(M, maps:get(M, N), Touched) || M <- Changed]
        ++ [{delete_module, M} || M <- maps:keys(O), not maps:is_key(M, N)],
    write_appup(New, App, Vsn, OldVsn, Up).

%% The appup of App: Up, and its mirror down (adds and deletes swapped).
write_appup(New, App, Vsn, OldVsn, Up) ->
    Down = [case I of {add_module, M} -> {delete_module, M}; {delete_module, M} -> {add_module, M}; _ -> I end || I <- lists:reverse(Up)],
    File = filename:join([New, "lib", atom_to_list(App) ++ "-" ++ Vsn, "ebin", atom_to_list(App) ++ ".appup"]),
    ok = file:write_file(File, io_lib:format("~tp.~n", [{Vsn, [{OldVsn, Up}], [{OldVsn, Down}]}])).

instruction(M, {_, Attrs, File}, Touched) ->
    Behaviours = proplists:get_value(behaviour, Attrs, []),
    {ok, {M, [{imports, Imports}]}} = beam_lib:chunks(File, [imports]),
    Deps = lists:usort([D || {D, _, _} <- Imports, D =/= M, lists:member(D, Touched)]),
    case lists:member(supervisor, Behaviours) of
        true -> {update, M, supervisor};
        false ->
            case lists:member(gen_server, Behaviours) of
                true -> {update, M, {advanced, []}, Deps};
                false -> {load_module, M, Deps}
            end
    end.
