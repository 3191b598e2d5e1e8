using System.CommandLine;
using Abi.Cli.Commands;

namespace Abi.Cli;

/// <summary>Entry point of the <c>abi</c> tool: parsing and printing only, every decision lives in Abi.Sdk.</summary>
public static class Program
{
    /// <summary>Runs the tool with the given arguments and returns its exit code.</summary>
    public static int Main(string[] args)
    {
        // `abi symbols FILE...` is answered before the command-line model is built (start-up, issue 17).
        if (ElfCommands.TryRunSymbolsWithoutParser(args, out int exitCode))
        {
            return exitCode;
        }

        var root = new RootCommand("abi: ELF symbol versions, RPM dependencies, ABI diffs and compatibility verdicts.");
        // Each area registers its own commands; keep one line per area here.
        ElfCommands.Register(root);
        DepsCommands.Register(root);
        CompatCommands.Register(root);
        RpmCommands.Register(root);
        InstallCheckCommand.Register(root);
        AbiCommands.Register(root);
        StubCommands.Register(root);
        DistCommands.Register(root);
        try
        {
            // Each command guards its own body; this catches what escapes outside one (parsing, writing the help), still as one line.
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            CliErrors.Report(ex);
            return 1;
        }
    }
}
