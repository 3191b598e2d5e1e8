using System.CommandLine;
using Abi.Sdk.Abi;

namespace Abi.Cli.Commands;

/// <summary><c>abi stub</c>: writes the stub library of each baseline, to link programs against it.</summary>
internal static class StubCommands
{
    public static void Register(RootCommand root)
    {
        var baselines = new Argument<string[]>("BASELINE") { Arity = ArgumentArity.OneOrMore, Description = "Abi.Sdk JSON baselines, abidw ABIXML files or ELF libraries." };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "The folder receiving each stub as DIR/SONAME (created if missing)." };
        var stub = new Command("stub", "Write a stub shared library for each baseline: same SONAME, versions and exported symbols, no code; link against it (gcc -LDIR -lfoo), run against the real library.")
        {
            baselines, output,
        };
        stub.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(baselines)!, r.GetValue(output)!)));
        root.Subcommands.Add(stub);
    }

    private static int Run(string[] baselines, string outputDir)
    {
        // Read every baseline first: a malformed one writes nothing.
        var surfaces = baselines.Select(AbiSurface.Open).ToList();
        var stubs = new List<(string Name, byte[] Bytes)>(surfaces.Count);
        foreach (var surface in surfaces)
        {
            string name;
            try
            {
                name = AbiStubLibrary.GetLibraryName(surface);
            }
            catch (ArgumentException)
            {
                Console.Error.WriteLine($"abi: stub: {surface.FileName}: no SONAME or file name to name the stub after");
                return 1;
            }

            stubs.Add((name, AbiStubLibrary.Create(surface)));
        }

        Directory.CreateDirectory(outputDir);
        foreach (var (name, bytes) in stubs)
        {
            var path = Path.Combine(outputDir, name);
            File.WriteAllBytes(path, bytes);
            Console.WriteLine(path);
        }

        return 0;
    }
}
