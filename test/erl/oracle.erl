%% The Erlang side of gen-appup's differential tests: OTP itself computes what our
%% TypeScript readers and printer must reproduce. Each function is run with
%% `erl -noshell -run oracle F Args... -s init stop` and reads or writes plain files.
-module(oracle).
-export([md5/1, named_atoms/1, strip_copies/1, etf_corpus/1, consult_dump/1, consult_check/1, format_terms/1, craft/1, make_relup/1, make_relups/1]).

%% md5([ListFile, OutFile]): one "md5hex path" line per beam listed in ListFile.
md5([ListFile, OutFile]) ->
    Lines = [begin
                 {ok, {_, M}} = beam_lib:md5(F),
                 [hex(M), $\s, F, $\n]
             end || F <- lines(ListFile)],
    ok = file:write_file(OutFile, unicode:characters_to_binary(Lines)).

%% named_atoms([ListFile, OutFile]): one "path hex hex ..." line per beam: the atoms of its atom
%% table and those inside its literal table, as OTP decodes them, each UTF-8 in hex.
named_atoms([ListFile, OutFile]) ->
    Lines = [begin
                 {ok, {_, [{atoms, As}]}} = beam_lib:chunks(F, [atoms]),
                 Atoms = lists:usort([A || {_, A} <- As] ++ lists:flatmap(fun atoms_in/1, literals(F))),
                 [F, [[$\s, hex(atom_to_binary(A, utf8))] || A <- Atoms], $\n]
             end || F <- lines(ListFile)],
    ok = file:write_file(OutFile, unicode:characters_to_binary(Lines)).

literals(F) ->
    case beam_lib:chunks(F, ["LitT"], [allow_missing_chunks]) of
        {ok, {_, [{"LitT", missing_chunk}]}} -> [];
        {ok, {_, [{"LitT", <<0:32, Table/binary>>}]}} -> split_literals(Table);
        {ok, {_, [{"LitT", <<_:32, Compressed/binary>>}]}} -> split_literals(zlib:uncompress(Compressed))
    end.

split_literals(<<N:32, Rest/binary>>) -> split_literals(N, Rest).
split_literals(0, _) -> [];
split_literals(N, <<Len:32, Ext:Len/binary, Rest/binary>>) -> [binary_to_term(Ext) | split_literals(N - 1, Rest)].

atoms_in(A) when is_atom(A) -> [A];
atoms_in(T) when is_tuple(T) -> atoms_in(tuple_to_list(T));
atoms_in([H | T]) -> atoms_in(H) ++ atoms_in(T);
atoms_in(M) when is_map(M) -> atoms_in(maps:to_list(M));
atoms_in(_) -> [].

%% strip_copies([ListFile, OutDir]): for beam N of the list, OutDir/N.stripped.beam
%% (beam_lib:strip, gzipped by OTP) and OutDir/N.gz.beam (the whole file gzipped).
strip_copies([ListFile, OutDir]) ->
    lists:foldl(fun(F, N) ->
                        {ok, Bin} = file:read_file(F),
                        {ok, {_, Stripped}} = beam_lib:strip(Bin),
                        Base = filename:join(OutDir, integer_to_list(N)),
                        ok = file:write_file(Base ++ ".stripped.beam", Stripped),
                        ok = file:write_file(Base ++ ".gz.beam", zlib:gzip(Bin)),
                        N + 1
                end, 0, lines(ListFile)).

%% etf_corpus([OutDir, Count, Seed]): random terms, each as N.etf (term_to_binary with
%% random options) and N.txt (io_lib:format("~tp", [T])).
etf_corpus([OutDir, Count, Seed]) ->
    rand:seed(exsss, list_to_integer(Seed)),
    lists:foreach(fun(N) ->
                          T = gen(4),
                          Opts = lists:nth(rand:uniform(4), [[], [compressed], [{minor_version, 1}],
                                                              [{compressed, 9}, {minor_version, 2}]]),
                          Base = filename:join(OutDir, integer_to_list(N)),
                          ok = file:write_file(Base ++ ".etf", term_to_binary(T, Opts)),
                          ok = file:write_file(Base ++ ".txt", tp(T))
                  end, lists:seq(1, list_to_integer(Count))).

%% consult_dump([ListFile, OutDir]): file:consult of file N as N.etf (the list of terms)
%% and N.txt (each term as "~tp.~n").
consult_dump([ListFile, OutDir]) ->
    lists:foldl(fun(F, N) ->
                        Base = filename:join(OutDir, integer_to_list(N)),
                        case file:consult(F) of
                            {ok, Terms} ->
                                ok = file:write_file(Base ++ ".etf", term_to_binary(Terms)),
                                ok = file:write_file(Base ++ ".txt", [tp(T) || T <- Terms]);
                            {error, E} ->
                                ok = file:write_file(Base ++ ".error", io_lib:format("~p", [E]))
                        end,
                        N + 1
                end, 0, lines(ListFile)).

%% consult_check([ListFile, OutFile]): each line is "TextFile EtfFile"; writes "ok" or
%% "mismatch"/"error" with the file name, one line per pair.
consult_check([ListFile, OutFile]) ->
    Out = [begin
               [Text, Etf] = string:split(L, " "),
               {ok, Bin} = file:read_file(Etf),
               Expected = binary_to_term(Bin),
               case file:consult(Text) of
                   {ok, Expected} -> ["ok ", Text, $\n];
                   {ok, _} -> ["mismatch ", Text, $\n];
                   {error, E} -> ["error ", Text, " ", io_lib:format("~0p", [E]), $\n]
               end
           end || L <- lines(ListFile)],
    ok = file:write_file(OutFile, unicode:characters_to_binary(Out)).

%% format_terms([InFile, OutFile]): the terms of a consult file, each as "~tp.~n".
format_terms([InFile, OutFile]) ->
    {ok, Terms} = file:consult(InFile),
    ok = file:write_file(OutFile, [tp(T) || T <- Terms]).

%% craft([Source, OutDir]): the crafted beams of fixtures/crafted (see its README).
%%   crafted_otp28.beam: the OTP 28 layout: AtU8 with a negative count and compact-encoded
%%     lengths, plus a 300-byte atom; LitT stored uncompressed (size field 0).
%%   crafted_legacy_atoms.beam: the pre-OTP 20 Latin-1 `Atom` chunk instead of AtU8.
%%   expected.txt: per file {File, Md5Hex, Atoms, Literals}, computed here.
craft([Src, OutDir]) ->
    {ok, Mod, Bin} = compile:file(Src, [binary, debug_info, deterministic]),
    {ok, Mod, Chunks} = beam_lib:all_chunks(Bin),
    {ok, {Mod, Md5}} = beam_lib:md5(Bin),
    Md5 = chunks_md5(Chunks),                       % our reading of the algorithm agrees with beam_lib
    {ok, {Mod, [{atoms, Indexed}]}} = beam_lib:chunks(Bin, [atoms]),
    Atoms = [A || {_, A} <- lists:keysort(1, Indexed)],
    Long = list_to_atom(lists:duplicate(100, 26085)),   % 100 x U+65E5: 300 bytes of UTF-8
    Names = [atom_to_binary(A, utf8) || A <- Atoms ++ [Long]],
    AtU8 = iolist_to_binary([<<(-length(Names)):32/signed>> | [[compact_len(byte_size(N)), N] || N <- Names]]),
    {_, <<_:32, Zipped/binary>>} = lists:keyfind("LitT", 1, Chunks),
    Table = zlib:uncompress(Zipped),
    Otp28 = lists:keyreplace("LitT", 1, lists:keyreplace("AtU8", 1, Chunks, {"AtU8", AtU8}), {"LitT", <<0:32, Table/binary>>}),
    Latin1 = [atom_to_binary(A, latin1) || A <- Atoms],
    AtomChunk = iolist_to_binary([<<(length(Latin1)):32>> | [[byte_size(L), L] || L <- Latin1]]),
    Legacy = [case C of {"AtU8", _} -> {"Atom", AtomChunk}; _ -> C end || C <- Chunks],
    Literals = [binary_to_term(L) || <<Size:32, L:Size/binary>> <= binary:part(Table, 4, byte_size(Table) - 4)],
    Write = fun(Name, Cs, As) ->
                    {ok, Beam} = beam_lib:build_module(Cs),
                    ok = file:write_file(filename:join(OutDir, Name), Beam),
                    {Name, lists:flatten(hex(chunks_md5(Cs))), As, Literals}
            end,
    {ok, {Mod, LegacyMd5}} = beam_lib:md5(element(2, beam_lib:build_module(Legacy))),
    Expected = [Write("crafted_otp28.beam", Otp28, Atoms ++ [Long]),
                setelement(2, Write("crafted_legacy_atoms.beam", Legacy, Atoms), lists:flatten(hex(LegacyMd5)))],
    ok = file:write_file(filename:join(OutDir, "expected.txt"),
                         ["%% coding: utf-8\n%% Made by oracle:craft/1 from crafted.erl; see README.md.\n" | [tp(E) || E <- Expected]]).

%% beam_lib:md5/1's definition: the md5 chunks in its order, FunT's OldUniq fields zeroed.
chunks_md5(Chunks) ->
    Ids = ["Atom", "AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT", "Meta"],
    erlang:md5([case Id of
                    "FunT" -> zero_old_uniq(Data);
                    _ -> Data
                end || Id <- Ids, {_, Data} <- [lists:keyfind(Id, 1, Chunks)]]).

zero_old_uniq(<<Count:32, Entries/binary>>) ->
    <<Count:32, << <<E:20/binary, 0:32>> || <<E:20/binary, _:32>> <= Entries >>/binary>>.

compact_len(L) when L < 16 -> <<L:4, 0:1, 0:3>>;
compact_len(L) when L < 2048 -> <<(L bsr 8):3, 1:2, 0:3, (L band 255):8>>.

%% make_relup([OutDir, Strict, TopStem, BaseStem..., "@path", PathDir...]): systools:make_relup
%% with silent (and warnings_as_errors when Strict is "strict"); the relup goes to OutDir/relup
%% and the result to OutDir/result as a term.
make_relup([OutDir, Strict, Top | Rest]) ->
    {Bases, ["@path" | Path]} = lists:splitwith(fun(A) -> A =/= "@path" end, Rest),
    Opts = [{path, Path}, {outdir, OutDir}, silent] ++ [warnings_as_errors || Strict =:= "strict"],
    Result = case systools:make_relup(Top, Bases, Bases, Opts) of
                 {ok, _Relup, _Mod, Warnings} -> {ok, Warnings};
                 {error, Mod, Reason} -> {error, lists:flatten(Mod:format_error(Reason))};
                 Other -> {error, lists:flatten(io_lib:format("~tp", [Other]))}
             end,
    ok = file:write_file(filename:join(OutDir, "result"), tp(Result)).

%% make_relups([ListFile]): many make_relup calls in one VM. Each line of ListFile is
%% "OutDir|TopStem|BaseStem,BaseStem...|PathGlob|Opt,Opt..." (Opt: restart_emulator); the relup
%% goes to OutDir/relup and the result ({ok, Warnings} or {error, Text}) to OutDir/result.
make_relups([ListFile]) ->
    lists:foreach(fun(Line) ->
                          [Out, Top, Bases, Path, Extra] = string:split(Line, "|", all),
                          Opts = [{path, [Path]}, {outdir, Out}, silent] ++
                              [list_to_atom(O) || O <- string:lexemes(Extra, ","), O =/= ""],
                          Result = try systools:make_relup(Top, string:lexemes(Bases, ","), string:lexemes(Bases, ","), Opts) of
                                       {ok, _, _, Ws} -> {ok, Ws};
                                       {error, Mod, Reason} -> {error, lists:flatten(Mod:format_error(Reason))};
                                       Other -> {error, lists:flatten(io_lib:format("~tp", [Other]))}
                                   catch C:E -> {error, lists:flatten(io_lib:format("~p:~p", [C, E]))}
                                   end,
                          ok = file:write_file(filename:join(Out, "result"), tp(Result))
                  end, lines(ListFile)).

tp(T) -> unicode:characters_to_binary(io_lib:format("~tp.~n", [T])).

hex(Bin) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Bin].

lines(File) ->
    {ok, Bin} = file:read_file(File),
    [unicode:characters_to_list(L) || L <- binary:split(Bin, <<"\n">>, [global]), L =/= <<>>].

%% Random terms: every ETF shape gen-appup can meet in a beam or a term file.
gen(0) -> leaf();
gen(D) ->
    case rand:uniform(12) of
        N when N =< 4 -> leaf();
        5 -> [gen(D - 1) || _ <- lists:seq(1, rand:uniform(6) - 1)];
        6 -> list_to_tuple([gen(D - 1) || _ <- lists:seq(1, rand:uniform(5) - 1)]);
        7 -> maps:from_list([{gen(D - 1), gen(D - 1)} || _ <- lists:seq(1, rand:uniform(5) - 1)]);
        8 -> [gen(D - 1) || _ <- lists:seq(1, rand:uniform(3))] ++ leaf();
        9 -> list_to_tuple([pick(atoms()) | [gen(D - 1) || _ <- lists:seq(1, rand:uniform(4))]]);
        10 -> [list_to_tuple([pick(atoms()), gen(D - 1)]) || _ <- lists:seq(1, rand:uniform(8))];
        11 -> [pick(atoms()) || _ <- lists:seq(1, rand:uniform(30))];
        12 -> {pick(atoms()), [gen(D - 1) || _ <- lists:seq(1, rand:uniform(12))]}
    end.

leaf() ->
    case rand:uniform(13) of
        1 -> rand:uniform(300) - 150;
        2 -> rand:uniform(1 bsl 40) - (1 bsl 39);
        3 -> (rand:uniform(1 bsl 130) - (1 bsl 129)) * (rand:uniform(1 bsl 70));
        4 -> float();
        5 -> pick(atoms());
        6 -> fun lists:map/2;
        7 -> fun 'Elixir.Enum':map/2;
        8 -> crypto_bytes(rand:uniform(40) - 1);
        9 -> <<(rand:uniform(255)):(rand:uniform(7))>>;
        10 -> <<(crypto_bytes(rand:uniform(5)))/binary, (rand:uniform(3)):2>>;
        11 -> pick(["", "0.1.0", "hello world", "tab\there", "quote\"s", "back\\slash", "é ü", [1049, 1050],
                    "new\nline", [0, 1, 2], "控制", "lib/app-1.0/ebin"]);
        12 -> pick([<<"bin">>, <<"é"/utf8>>, <<"日本"/utf8>>, <<233>>, <<"a\nb">>, <<1, 2, 3>>,
                    <<"2\\.1\\.[0-9]+">>, <<196, 160>>]);
        13 -> [] 
    end.

float() ->
    case rand:uniform(3) of
        1 -> pick([0.0, -0.0, 1.0, 1.5e3, 100.0, 0.02, 1.0e21, 5.0e-324, 1.7976931348623157e308,
                   9007199254740992.0, 1234567890123456.0, 0.0001, 1.0e-5, 123.456]);
        2 -> (rand:uniform() - 0.5) * math:pow(10, rand:uniform(40) - 20);
        3 -> <<F/float>> = <<(rand:uniform(16#7FEFFFFFFFFFFFFF)):64>>, F
    end.

atoms() ->
    [ok, error, 'Elixir.Foo.Bar', 'end', 'fun', 'with space', '', 'Ünïcode', 'héllo', '日本',
     node@host, 'quote\'s', 'back\\slash', a_b, 'A', '_x', load_module, update, brutal_purge,
     'tab\tatom', 'élan', 'ß', zoo9].

pick(L) -> lists:nth(rand:uniform(length(L)), L).

crypto_bytes(N) -> list_to_binary([rand:uniform(256) - 1 || _ <- lists:seq(1, N)]).
