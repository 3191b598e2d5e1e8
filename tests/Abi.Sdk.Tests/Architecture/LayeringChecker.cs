using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Abi.Sdk.Tests.Architecture;

/// <summary>One broken rule: where, which rule, and what was referenced or declared.</summary>
/// <param name="File">The file, relative to src/Abi.Sdk, with forward slashes.</param>
/// <param name="Line">The first line (1-based) where the rule is broken in that file for that detail.</param>
/// <param name="Rule">The rule's name (see <see cref="LayeringChecker"/>).</param>
/// <param name="Detail">What breaks it: which area uses which namespace, the decoding method, or the declared constant.</param>
/// <param name="Example">For a dependency, the first symbol that makes it (one line shows one, not all).</param>
public sealed record LayeringViolation(string File, int Line, string Rule, string Detail, string? Example = null)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}: {Rule}: {Detail}{(Example is null ? string.Empty : $" (first: {Example})")}";
}

/// <summary>
/// Checks the house's layering on the library's source with the C# compiler's semantic model, so that every symbol a
/// file uses is resolved exactly (extension methods, operators, conversions, <c>var</c>, <c>foreach</c>, attributes),
/// not guessed from <c>using</c> lines. The rules, each named in the violations:
/// <list type="bullet">
/// <item><c>dependency</c>: a file in area A (its folder under src/Abi.Sdk, which is its namespace) uses a symbol of
/// area B only when B is A, the root namespace <c>Abi.Sdk</c>, or in <see cref="Allowed"/>[A].</item>
/// <item><c>namespace</c>: a file in folder F declares its types in namespace <c>Abi.Sdk.F</c> (root files: <c>Abi.Sdk</c>).</item>
/// <item><c>elf-bytes</c>: outside the format areas (<see cref="FormatAreas"/>), nothing decodes bytes with the
/// binary-reading primitives (<c>BinaryPrimitives.Read*</c>, <c>MemoryMarshal.Read/Cast/AsRef</c>,
/// <c>BitConverter.To*</c>, <c>Unsafe.Read*</c>, <c>BinaryReader</c>): whoever needs a relocation, a hash table or a
/// note asks the Elf area for it. Writing bytes (a hash's input) is not parsing and stays allowed.</item>
/// <item><c>elf-constant</c>: outside the format areas, no field or enum member is declared with an ELF spec name
/// (<c>DT_*</c>, <c>SHT_*</c>, <c>SHN_*</c>, <c>R_X86_64_*</c>, …): the spec's constants are declared once, in Elf.</item>
/// </list>
/// </summary>
public static class LayeringChecker
{
    /// <summary>The root namespace's area: shared by all (the exception family, progress reporting).</summary>
    public const string Root = "";

    /// <summary>The areas that read formats; only they decode bytes.</summary>
    public static readonly ImmutableHashSet<string> FormatAreas = ["Elf", "Rpm", "IO", "Dwarf"];

    /// <summary>
    /// What each area may use besides itself and the root: IO is lowest; Elf, Rpm (and a future Dwarf, over Elf) read
    /// formats over it; Dependencies and Abi use formats only; Compatibility uses those two as well; Distribution all
    /// of that; Reporting everything it reports. The CLI is another assembly, on top.
    /// </summary>
    public static readonly ImmutableDictionary<string, ImmutableHashSet<string>> Allowed = new Dictionary<string, ImmutableHashSet<string>>
    {
        [Root] = [],
        ["IO"] = [],
        ["Elf"] = ["IO"],
        ["Rpm"] = ["IO"],
        ["Dwarf"] = ["IO", "Elf"],
        ["Dependencies"] = ["IO", "Elf", "Rpm"],
        ["Abi"] = ["IO", "Elf", "Rpm", "Dwarf"],
        ["Compatibility"] = ["IO", "Elf", "Rpm", "Dwarf", "Dependencies", "Abi"],
        ["Distribution"] = ["IO", "Elf", "Rpm", "Dwarf", "Dependencies", "Abi", "Compatibility"],
        ["Reporting"] = ["IO", "Elf", "Rpm", "Dwarf", "Dependencies", "Abi", "Compatibility", "Distribution"],
    }.ToImmutableDictionary();

    // The spec's prefixes (gABI, the GNU extensions, the psABIs' relocation names).
    private static readonly Regex ElfConstantName = new(
        "^(EI|ET|EM|EV|ELFCLASS|ELFDATA|ELFOSABI|SHN|SHT|SHF|PT|PF|DT|DF|DF_1|STB|STT|STV|STN|NT|VER_DEF|VER_NEED|VER_FLG|VERSYM|GRP|GNU_PROPERTY|R_[A-Z0-9]+)_[A-Z0-9_]+$",
        RegexOptions.CultureInvariant);

    /// <summary>The usings the SDK adds to every file (ImplicitUsings for Microsoft.NET.Sdk).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Checks the library's sources: every *.cs under <paramref name="sourceRoot"/> outside bin/ and obj/.</summary>
    /// <param name="sourceRoot">src/Abi.Sdk.</param>
    /// <returns>The violations, sorted.</returns>
    public static ImmutableArray<LayeringViolation> CheckFolder(string sourceRoot)
    {
        var files = Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(sourceRoot, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(Path.Combine(sourceRoot, f))));
        return Check(files);
    }

    /// <summary>Compiles the sources as one assembly against this process's platform and package assemblies and checks them.</summary>
    /// <param name="sources">(path relative to src/Abi.Sdk with forward slashes, text).</param>
    /// <returns>The violations, sorted.</returns>
    /// <exception cref="InvalidOperationException">The sources do not compile: the semantic model would not be exact.</exception>
    public static ImmutableArray<LayeringViolation> Check(IEnumerable<(string Path, string Text)> sources)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview, DocumentationMode.None);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, s.Path)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, options, "(implicit usings)"));
        var compilation = CSharpCompilation.Create(
            "Abi.Sdk",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        // CS8795 is the one error expected: the implementation parts of [LibraryImport] and [GeneratedRegex] methods
        // come from source generators that are not run here; what they generate is interop inside the same type.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(10).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("the sources do not compile, so symbols cannot be resolved exactly:\n" + string.Join("\n", errors));
        }

        // Nodes are visited in source order, so the first report of a key is its first line.
        var found = new Dictionary<(string File, string Rule, string Detail), (int Line, string? Example)>();
        void Report(SyntaxNode node, string rule, string detail, string? example = null)
        {
            var key = (node.SyntaxTree.FilePath, rule, detail);
            found.TryAdd(key, (node.GetLocation().GetLineSpan().StartLinePosition.Line + 1, example));
        }

        foreach (var tree in trees.Where(t => t.FilePath != "(implicit usings)"))
        {
            var area = AreaOfFile(tree.FilePath);
            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();
            if (!Allowed.TryGetValue(area, out var allowed))
            {
                Report(root, "dependency", $"folder '{area}' is not an area of the house");
                allowed = [];
            }

            foreach (var node in root.DescendantNodes())
            {
                if (node is BaseNamespaceDeclarationSyntax ns)
                {
                    var expected = area == Root ? "Abi.Sdk" : "Abi.Sdk." + area;
                    if (ns.Name.ToString() != expected)
                    {
                        Report(ns.Name, "namespace", $"declares namespace {ns.Name}, its folder says {expected}");
                    }
                }

                foreach (var symbol in ReferencedSymbols(model, node))
                {
                    foreach (var ns2 in Namespaces(symbol))
                    {
                        if (AreaOfNamespace(ns2) is { } used && used != area && used != Root && !allowed.Contains(used))
                        {
                            Report(node, "dependency", $"{(area == Root ? "Abi.Sdk" : area)} uses {ns2}", Describe(symbol));
                        }
                    }

                    if (!FormatAreas.Contains(area) && IsByteDecoding(symbol))
                    {
                        Report(node, "elf-bytes", $"decodes bytes with {symbol.ContainingType?.Name}.{symbol.Name}");
                    }
                }

                if (!FormatAreas.Contains(area))
                {
                    switch (node)
                    {
                        case VariableDeclaratorSyntax v when v.Parent?.Parent is FieldDeclarationSyntax && ElfConstantName.IsMatch(v.Identifier.ValueText):
                            Report(v, "elf-constant", $"declares {v.Identifier.ValueText}");
                            break;
                        case EnumMemberDeclarationSyntax e when ElfConstantName.IsMatch(e.Identifier.ValueText):
                            Report(e, "elf-constant", $"declares {e.Identifier.ValueText}");
                            break;
                    }
                }
            }
        }

        return [.. found.Select(p => new LayeringViolation(p.Key.File, p.Value.Line, p.Key.Rule, p.Key.Detail, p.Value.Example))
            .OrderBy(v => v.File, StringComparer.Ordinal).ThenBy(v => v.Line).ThenBy(v => v.Detail, StringComparer.Ordinal)];
    }

    /// <summary>The area of a file: its first folder under src/Abi.Sdk, or the root for a file directly in it.</summary>
    public static string AreaOfFile(string path)
    {
        int slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Root : path[..slash];
    }

    /// <summary>The area of a namespace: <c>Abi.Sdk.X[.…]</c> is X, <c>Abi.Sdk</c> the root, anything else none.</summary>
    public static string? AreaOfNamespace(string ns)
    {
        if (ns == "Abi.Sdk")
        {
            return Root;
        }

        if (!ns.StartsWith("Abi.Sdk.", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns["Abi.Sdk.".Length..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<MetadataReference> References()
    {
        // The platform and the package assemblies the library references are all in this test's load context; the
        // library itself and its dependents are left out, since the sources stand for them.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("Abi.", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(p).Equals("abi.dll", StringComparison.OrdinalIgnoreCase))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            MetadataReference? reference = null;
            try
            {
                using var stream = File.OpenRead(path);
                using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
                if (pe.HasMetadata)
                {
                    reference = MetadataReference.CreateFromFile(path);
                }
            }
            catch (BadImageFormatException)
            {
                // A native library beside the tests.
            }

            if (reference is not null)
            {
                yield return reference;
            }
        }
    }

    /// <summary>Every symbol the node binds to, explicitly or implicitly.</summary>
    private static IEnumerable<ISymbol> ReferencedSymbols(SemanticModel model, SyntaxNode node)
    {
        var info = model.GetSymbolInfo(node);
        if (info.Symbol is { } s)
        {
            yield return s;
        }

        foreach (var c in info.CandidateSymbols)
        {
            yield return c;
        }

        if (node is ExpressionSyntax expression)
        {
            var type = model.GetTypeInfo(expression);
            if (type.Type is { } t)
            {
                yield return t;
            }

            if (type.ConvertedType is { } ct)
            {
                yield return ct;
            }

            if (model.GetConversion(expression).MethodSymbol is { } conversion)
            {
                yield return conversion;
            }
        }

        switch (node)
        {
            case CommonForEachStatementSyntax forEach:
                var each = model.GetForEachStatementInfo(forEach);
                foreach (var m in new ISymbol?[] { each.GetEnumeratorMethod, each.MoveNextMethod, each.CurrentProperty, each.DisposeMethod, each.ElementType })
                {
                    if (m is not null)
                    {
                        yield return m;
                    }
                }

                break;
            case UsingStatementSyntax or LocalDeclarationStatementSyntax or ParameterSyntax or MemberDeclarationSyntax or VariableDeclaratorSyntax or TypeParameterSyntax:
                if (model.GetDeclaredSymbol(node) is { } declared)
                {
                    yield return declared;
                }

                break;
        }
    }

    /// <summary>The namespaces a symbol lives in or carries: its own, its containing type's, and those of every type in its signature.</summary>
    private static IEnumerable<string> Namespaces(ISymbol symbol)
    {
        var types = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        void AddType(ITypeSymbol? t)
        {
            if (t is null || !types.Add(t))
            {
                return;
            }

            switch (t)
            {
                case IArrayTypeSymbol a:
                    AddType(a.ElementType);
                    break;
                case IPointerTypeSymbol p:
                    AddType(p.PointedAtType);
                    break;
                case INamedTypeSymbol n:
                    foreach (var arg in n.TypeArguments)
                    {
                        AddType(arg);
                    }

                    AddType(n.ContainingType);
                    break;
            }
        }

        switch (symbol)
        {
            case INamespaceSymbol ns:
                yield return ns.ToDisplayString();
                yield break;
            case ITypeSymbol t:
                AddType(t);
                if (t is INamedTypeSymbol { } declared)
                {
                    AddType(declared.BaseType);
                    foreach (var i in declared.Interfaces)
                    {
                        AddType(i);
                    }
                }

                break;
            case IMethodSymbol m:
                AddType(m.ContainingType);
                AddType((m.ReducedFrom ?? m).ContainingType);
                AddType(m.ReturnType);
                foreach (var p in m.Parameters)
                {
                    AddType(p.Type);
                }

                foreach (var a in m.TypeArguments)
                {
                    AddType(a);
                }

                break;
            case IPropertySymbol p:
                AddType(p.ContainingType);
                AddType(p.Type);
                break;
            case IFieldSymbol f:
                AddType(f.ContainingType);
                AddType(f.Type);
                break;
            case IEventSymbol e:
                AddType(e.ContainingType);
                AddType(e.Type);
                break;
            case ILocalSymbol l:
                AddType(l.Type);
                break;
            case IParameterSymbol p:
                AddType(p.Type);
                break;
            default:
                AddType(symbol.ContainingType);
                break;
        }

        foreach (var t in types)
        {
            if (t.ContainingNamespace is { IsGlobalNamespace: false } ns)
            {
                yield return ns.ToDisplayString();
            }
        }
    }

    private static bool IsByteDecoding(ISymbol symbol)
    {
        if (symbol is not IMethodSymbol and not INamedTypeSymbol)
        {
            return false;
        }

        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        var name = type?.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None));
        var member = symbol is IMethodSymbol m ? (m.ReducedFrom ?? m).Name : null;
        return name switch
        {
            "System.IO.BinaryReader" => true,
            "System.Buffers.Binary.BinaryPrimitives" => member is not null && (member.StartsWith("Read", StringComparison.Ordinal) || member.StartsWith("TryRead", StringComparison.Ordinal)),
            "System.Runtime.InteropServices.MemoryMarshal" => member is "Read" or "TryRead" or "Cast" or "AsRef",
            "System.BitConverter" => member is not null && member.StartsWith("To", StringComparison.Ordinal),
            "System.Runtime.CompilerServices.Unsafe" => member is "ReadUnaligned" or "Read",
            _ => false,
        };
    }

    private static string Describe(ISymbol symbol) => symbol.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
}
