using System.CommandLine;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;

namespace Abi.Cli.Commands;

/// <summary><c>abi deps</c>: rpm's ELF dependency generator, printed as <c>rpmdeps</c> prints it.</summary>
internal static class DepsCommands
{
    public static void Register(RootCommand root)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "Files to generate dependencies for (non-ELF files contribute nothing)." };
        var provides = new Option<bool>("--provides", "-P") { Description = "Print the generated Provides." };
        var requires = new Option<bool>("--requires", "-R") { Description = "Print the generated Requires." };
        var sonameOnly = new Option<bool>("--soname-only") { Description = "elfdeps --soname-only: no version nodes, no rtld(GNU_HASH)." };
        var noFake = new Option<bool>("--no-fake-soname") { Description = "elfdeps --no-fake-soname: no provide from the file name when DT_SONAME is missing." };
        var noFilter = new Option<bool>("--no-filter-soname") { Description = "elfdeps --no-filter-soname: keep sonames that are not lib*.so* or ld*.so*." };
        var interp = new Option<bool>("--require-interp") { Description = "elfdeps --require-interp: require the program interpreter." };
        var deps = new Command("deps", "Generate Provides/Requires from ELF files exactly as rpm's elfdeps does, printed sorted and unique as rpmdeps prints them.")
        {
            files, provides, requires, sonameOnly, noFake, noFilter, interp,
        };
        deps.SetAction(r => CliErrors.Guard(() =>
        {
            var options = new ElfDependencyOptions
            {
                SonameOnly = r.GetValue(sonameOnly),
                FakeSoname = !r.GetValue(noFake),
                FilterSoname = !r.GetValue(noFilter),
                RequireInterpreter = r.GetValue(interp),
            };
            return Run(r.GetValue(files)!, r.GetValue(provides), r.GetValue(requires), options);
        }));
        root.Subcommands.Add(deps);
    }

    private static int Run(string[] files, bool printProvides, bool printRequires, ElfDependencyOptions options)
    {
        // Classify first (cheap), then generate in parallel: each file is independent, the sets are merged after.
        var elfFiles = new List<string>();
        foreach (var path in files)
        {
            // rpm classifies files with libmagic without following links: only regular ELF files get the ELF generator.
            if (!File.Exists(path) && new FileInfo(path).LinkTarget is null)
            {
                throw new FileNotFoundException($"{path}: no such file", path);
            }

            if (ElfImage.IsElfFile(path))
            {
                elfFiles.Add(path);
            }
        }

        var generated = new ElfDependencies[elfFiles.Count];
        Parallel.For(0, elfFiles.Count, i => generated[i] = ElfDependencyGenerator.Generate(elfFiles[i], options));
        var provides = new SortedSet<string>(StringComparer.Ordinal);
        var requires = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in generated)
        {
            foreach (var p in d.Provides)
            {
                provides.Add(p.ToString());
            }

            foreach (var r in d.Requires)
            {
                requires.Add(r.ToString());
            }
        }

        using var output = new Output();
        if (printProvides)
        {
            foreach (var p in provides)
            {
                output.WriteLine(p);
            }
        }

        if (printRequires)
        {
            foreach (var p in requires)
            {
                output.WriteLine(p);
            }
        }

        return 0;
    }
}

/// <summary><c>abi installcheck</c>: the packages of a set that cannot be installed from it, as libsolv's installcheck reports them.</summary>
internal static class InstallCheckCommand
{
    public static void Register(RootCommand root)
    {
        var inputs = new Argument<string[]>("RPM_OR_REPO") { Arity = ArgumentArity.OneOrMore, Description = "RPM files, repository folders (with repodata/), repomd.xml or primary.xml[.gz|.xz|.bz2|.zst] files." };
        var arch = new Option<string?>("--arch") { Description = "Check only packages installable on this architecture (x86_64, aarch64, …; noarch always). Default: every binary package." };
        var command = new Command("installcheck", "List the packages whose requirements cannot be met from the given packages, as libsolv's installcheck does. Exit code 1 when some package cannot be installed, 2 on error.")
        {
            inputs, arch,
        };
        command.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(inputs)!, r.GetValue(arch)), errorExitCode: 2));
        root.Subcommands.Add(command);
    }

    private static int Run(string[] inputs, string? arch)
    {
        var set = Abi.Sdk.Dependencies.PackageSet.Load(inputs);
        var problems = set.CheckInstallability(arch);
        using var output = new Output();
        using (var writer = new StreamWriter(output.Stream, leaveOpen: true) { NewLine = "\n" })
        {
            problems.WriteText(writer);
        }

        return problems.IsEmpty ? 0 : 1;
    }
}
