using Abi.Sdk.Fuzz;
using SharpFuzz;

// Abi.Sdk.Fuzz TARGET            under the libFuzzer driver (fuzz.sh): the persistent fuzzing loop;
//                                otherwise: replays the committed seeds and regressions of TARGET.
// Abi.Sdk.Fuzz TARGET PATH...    replays the given files (or folders of files) through TARGET.
// Abi.Sdk.Fuzz all               replays every committed input through every target.
// Abi.Sdk.Fuzz list              prints the target names, one a line.

// Under the driver nothing instrumented may run before Fuzzer.LibFuzzer.Run maps the coverage memory
// (the instrumented SDK writes there), so FuzzTargets is not touched until the first input.
if (args.Length == 1 && Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") is not null)
{
    string fuzzed = args[0];
    Fuzzer.LibFuzzer.Run(span => FuzzTargets.Run(fuzzed, span.ToArray()));
    return 0;
}

if (args is ["list"])
{
    Console.WriteLine(string.Join('\n', FuzzTargets.All.Keys));
    return 0;
}

if (args.Length == 0 || (args[0] != "all" && !FuzzTargets.All.ContainsKey(args[0])))
{
    Console.Error.WriteLine($"usage: Abi.Sdk.Fuzz TARGET|all [PATH...]   targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

string name = args[0];

int findings = 0, inputs = 0;
foreach (string target in name == "all" ? FuzzTargets.All.Keys : [name])
{
    var paths = args.Length > 1 ? args[1..] : FuzzInputs.CommittedFolders(target);
    foreach (string file in FuzzInputs.Files(paths))
    {
        inputs++;
        if (FuzzInputs.Replay(target, file) is { } finding)
        {
            findings++;
            Console.Error.WriteLine($"FINDING {target} {file}: {finding}");
        }
    }
}

Console.WriteLine($"{inputs} inputs replayed, {findings} findings");
return findings == 0 ? 0 : 1;
