# The mix step's own cost: GenAppup.step/1 on a small release already assembled (its old version in
# the same root), timed alone in a running mix, interleaved with Node's start-up through the same
# kind of port (the floor any step that runs a Node CLI pays), and with GenAppup.start/1 run first,
# 300 ms before, standing for :assemble (about a second for this release here).
#   mix run --no-start --no-compile step.exs RUNS CLI OUT
[runs, cli, out] = System.argv()
config = Mix.Project.config()
release = Mix.Release.from_config!(config[:app], config, [])
release = %{release | options: Keyword.put(release.options, :gen_appup, cli: cli)}
node = System.find_executable("node")
micros = fn f -> f |> :timer.tc() |> elem(0) end

lines =
  for _ <- 1..String.to_integer(runs) do
    step = micros.(fn -> GenAppup.step(release) end)
    floor = micros.(fn -> {_, 0} = System.cmd(node, ["-e", "0"]) end)
    GenAppup.start(release)
    Process.sleep(300)
    started = micros.(fn -> GenAppup.step(release) end)
    "#{step} #{floor} #{started}\n"
  end

File.write!(out, lines)
