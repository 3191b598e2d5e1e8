using Abi.Sdk.Fuzz;

namespace Abi.Sdk.Tests.Fuzz;

/// <summary>
/// Replays every committed fuzz input (tests/Abi.Sdk.Fuzz/seeds and regressions) through its target without
/// instrumentation: only the SDK's documented format errors may escape, and no input may hang or over-allocate.
/// </summary>
public sealed class FuzzReplayTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Committed_inputs_raise_only_documented_errors(string target)
    {
        var files = FuzzInputs.Files(FuzzInputs.CommittedFolders(target)).ToList();
        Assert.NotEmpty(files);
        var failures = files.Select(f => (File: f, Failure: FuzzInputs.Replay(target, f)))
            .Where(r => r.Failure is not null)
            .Select(r => $"{Path.GetRelativePath(AppContext.BaseDirectory, r.File)}: {r.Failure}")
            .ToList();
        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_are_valid_input_for_their_target(string target)
    {
        // A seed that the reader refuses would only fuzz the first check; every seed must read cleanly.
        foreach (string file in FuzzInputs.Files([FuzzInputs.CommittedFolders(target)[0]]))
        {
            var error = Record.Exception(() => FuzzTargets.All[target](File.ReadAllBytes(file)));
            Assert.True(error is null, $"{Path.GetFileName(file)}: {error}");
        }
    }
}
