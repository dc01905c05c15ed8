%% Generates the benchmark's release pair: OLD_ROOT (1.0.0) and NEW_ROOT (2.0.0), each holding
%% real OTP applications and generated ones. Generated modules are the templates in templates/,
%% compiled once with the compiler and specialized per module by renaming their atoms (module
%% name, call targets), then stripped as mix release strips them.
%%   erl -noshell -pa DIR -run bench_gen main TemplatesDir OutDir ModulesPerRelease Seed Apps -s init stop
%% Apps is the number of generated applications; 0 means one per 90 generated modules.
-module(bench_gen).
-export([main/1]).

-define(OTP, [kernel, stdlib, sasl, compiler, crypto, asn1, public_key, ssl, inets, runtime_tools,
              tools, syntax_tools, xmerl, mnesia, os_mon, parsetools, eunit]).
-define(KEEP, ["AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT", "Meta", "Attr"]).

main([TemplatesDir, Out, NStr, Seed, AppsStr]) ->
    rand:seed(exsss, list_to_integer(Seed)),
    Templates = maps:from_list([{{K, V}, template(TemplatesDir, K, V)} || K <- [plain, server, sup], V <- [v1, v2]]),
    OtpModules = lists:sum([length(filelib:wildcard(filename:join(code:lib_dir(A), "ebin/*.beam"))) || A <- ?OTP]),
    User = max(list_to_integer(NStr) - OtpModules, 200),
    NApps = case list_to_integer(AppsStr) of 0 -> max(6, User div 90); A -> max(3, min(A, User)) end, % every third one changes
    Apps = [{I, [J || J <- lists:seq(1, User div NApps)]} || I <- lists:seq(1, NApps)],
    AllNames = [name(I, J) || {I, Js} <- Apps, J <- Js],
    Pool = list_to_tuple(AllNames),
    V1 = [{I, "1.0.0", [{name(I, J), kind(J), v1, deps(Pool, name(I, J))} || J <- Js]} || {I, Js} <- Apps],
    V2 = [change(App, Pool) || App <- V1],
    write_release(filename:join(Out, "old"), "1.0.0", V1, Templates),
    write_release(filename:join(Out, "new"), "2.0.0", V2, Templates),
    io:format("~p modules per release (~p OTP, ~p generated in ~p applications)~n", [OtpModules + User, OtpModules, User, NApps]).

template(Dir, Kind, V) ->
    Src = filename:join(Dir, "tmpl_" ++ atom_to_list(Kind) ++ case V of v1 -> ""; v2 -> "_v2" end ++ ".erl"),
    {ok, _, Bin} = compile:file(Src, [binary, deterministic]),
    {ok, _, Chunks} = beam_lib:all_chunks(Bin),
    {ok, {_, [{atoms, Atoms}]}} = beam_lib:chunks(Bin, [atoms]),
    {[{Id, D} || {Id, D} <- Chunks, lists:member(Id, ?KEEP)], [A || {_, A} <- lists:keysort(1, Atoms)]}.

name(I, J) -> list_to_atom("b" ++ integer_to_list(I) ++ "_" ++ integer_to_list(J)).
kind(J) when J rem 20 =:= 0 -> sup;
kind(J) when J rem 5 =:= 0 -> server;
kind(_) -> plain.

%% Two other modules to call, from any application.
deps(Pool, Self) ->
    Pick = fun Pick() -> case element(rand:uniform(tuple_size(Pool)), Pool) of Self -> Pick(); M -> M end end,
    A = Pick(), B = Pick(),
    case B of A -> {A, Pick()}; _ -> {A, B} end.

%% Every third application gets a new version: 7% of its modules change, 2% go, some come.
change({I, Vsn, Mods}, Pool) when I rem 3 =:= 0 ->
    Kept = [case rand:uniform(100) of
                R when R =< 7 -> {M, K, v2, deps(Pool, M)};
                R when R =< 9 -> deleted;
                _ -> Mod
            end || {M, K, _, _} = Mod <- Mods],
    Added = [{list_to_atom("b" ++ integer_to_list(I) ++ "_new" ++ integer_to_list(N)), plain, v1, deps(Pool, x)}
             || N <- lists:seq(1, max(1, length(Mods) div 50))],
    {I, bump(Vsn), [M || M <- Kept, M =/= deleted] ++ Added};
change(App, _) -> App.

bump("1.0.0") -> "1.1.0".

write_release(Root, RelVsn, Apps, Templates) ->
    Erts = erlang:system_info(version),
    Otp = [{A, vsn(A)} || A <- ?OTP],
    [copy_app(Root, A, V) || {A, V} <- Otp],
    [write_app(Root, I, Vsn, Mods, Templates) || {I, Vsn, Mods} <- Apps],
    Entries = [{A, V} || {A, V} <- Otp] ++ [{app(I), Vsn} || {I, Vsn, _} <- Apps],
    Rel = filename:join([Root, "releases", RelVsn, "bench.rel"]),
    ok = filelib:ensure_dir(Rel),
    ok = file:write_file(Rel, io_lib:format("~tp.~n", [{release, {"bench", RelVsn}, {erts, Erts}, Entries}])),
    ok = file:write_file(filename:join([Root, "releases", "start_erl.data"]), [Erts, " ", RelVsn]).

vsn(App) ->
    {ok, [{application, App, Props}]} = file:consult(filename:join(code:lib_dir(App), "ebin/" ++ atom_to_list(App) ++ ".app")),
    proplists:get_value(vsn, Props).

copy_app(Root, App, Vsn) ->
    Ebin = filename:join([Root, "lib", atom_to_list(App) ++ "-" ++ Vsn, "ebin"]),
    ok = filelib:ensure_dir(filename:join(Ebin, "x")),
    [{ok, _} = file:copy(F, filename:join(Ebin, filename:basename(F))) || F <- filelib:wildcard(filename:join(code:lib_dir(App), "ebin/*.{beam,app,appup}"))].

app(I) -> list_to_atom("bapp" ++ integer_to_list(I)).

write_app(Root, I, Vsn, Mods, Templates) ->
    Ebin = filename:join([Root, "lib", atom_to_list(app(I)) ++ "-" ++ Vsn, "ebin"]),
    ok = filelib:ensure_dir(filename:join(Ebin, "x")),
    [ok = file:write_file(filename:join(Ebin, atom_to_list(M) ++ ".beam"), specialize(maps:get({K, V}, Templates), M, Deps))
     || {M, K, V, Deps} <- Mods],
    App = {application, app(I), [{description, "generated"}, {vsn, Vsn}, {modules, [M || {M, _, _, _} <- Mods]},
                                 {registered, []}, {applications, [kernel, stdlib]}]},
    ok = file:write_file(filename:join(Ebin, atom_to_list(app(I)) ++ ".app"), io_lib:format("~tp.~n", [App])).

%% The template with its atoms renamed: atom 1 is the module, tmpl_dep_a/b the modules it calls.
specialize({Chunks, Atoms}, Mod, {DepA, DepB}) ->
    Rename = fun(A) -> case atom_to_list(A) of
                           "tmpl_dep_a" -> DepA;
                           "tmpl_dep_b" -> DepB;
                           "tmpl_" ++ _ -> Mod;
                           _ -> A
                       end end,
    Names = [atom_to_binary(Rename(A), utf8) || A <- Atoms],
    AtU8 = iolist_to_binary([<<(length(Names)):32>> | [[byte_size(N), N] || N <- Names]]),
    {ok, Beam} = beam_lib:build_module(lists:keyreplace("AtU8", 1, Chunks, {"AtU8", AtU8})),
    Beam.
