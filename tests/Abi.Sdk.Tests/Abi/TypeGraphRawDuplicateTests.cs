using Abi.Sdk.Abi;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.Dwarf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// The type graph builder confirms a type DIE that duplicates one already built by its raw bytes instead of decoding
/// it (AbiTypeGraphBuilder.RawDuplicates.cs). The graph must be the one built with every DIE filled on its own: the
/// baselines written from both are byte-identical, on fixtures whose units repeat the same types (Fixtures/abi-raw,
/// DWARF 4 and 5, dwz's partial units with DW_FORM_ref_addr, a dwz common file with DW_FORM_GNU_ref_alt) and on the
/// reader's fixtures (DWARF 2 to 5, 64-bit DWARF, big-endian, type units, compressed sections).
/// </summary>
public sealed class TypeGraphRawDuplicateTests
{
    private static string Raw(string name) => Path.Combine(Paths.Fixtures, "abi-raw", name);

    // dwz already shares what the units repeat (partial units, a common file): there the comparison finds nothing
    // to confirm, and must still change nothing.
    public static TheoryData<string, bool> RawFixtures => new()
    {
        { "raw-dwarf5.so", true }, { "raw-dwarf4.so", true }, { "raw-dwz.so", false }, { "raw-dwz-m1.so", false }, { "raw-dwz-m2.so", false },
    };

    public static TheoryData<string> ReaderFixtures => new(
        "c-dwarf2-O0.so", "c-dwarf3-O0.so", "c-dwarf4-O2.so", "c-dwarf4-64bit.so", "c-dwarf5-O2.so", "c-dwarf5-64bit.so",
        "c-s390x-dwarf4.so", "c-s390x-dwarf5.so", "c-clang-dwarf5.so", "c-zlib.so", "cc-dwarf4-types.so", "cc-dwarf5-types.so",
        "cc-dwarf5-O2.so", "dwz-a.so", "dwz-b.so", "dwz-single.so");

    [Theory]
    [MemberData(nameof(RawFixtures))]
    public void Units_repeating_types_build_the_same_graph_with_fewer_fills(string name, bool repeated)
    {
        var (withRaw, confirmed) = Baseline(Raw(name), raw: true);
        var (without, _) = Baseline(Raw(name), raw: false);
        Assert.Equal(without, withRaw);
        // Three units declare struct node and everything it reaches: the later ones are confirmed, not filled.
        if (repeated)
        {
            Assert.True(confirmed > 0, $"no DIE of {name} was confirmed by its bytes");
        }
    }

    [Theory]
    [MemberData(nameof(ReaderFixtures))]
    public void Reader_fixtures_build_the_same_graph(string name)
    {
        var path = DwarfDifferentialTests.Fixture(name);
        Assert.Equal(Baseline(path, raw: false).Bytes, Baseline(path, raw: true).Bytes);
    }

    [Theory]
    [InlineData("raw-dwarf5.so")]
    [InlineData("raw-dwarf4.so")]
    [InlineData("raw-dwz.so")]
    public void Equal_bytes_whose_reference_leads_to_another_type_stay_apart(string name)
    {
        // struct holder { word *p; } has the same bytes in a.c and c.c, but c.c's word is long: gdb says which.
        var gdb = Tools.Require("gdb", "gdb");
        var path = Raw(name);
        var (code, stdout, stderr) = Tools.Run(gdb, ["-batch", "-nx", "-ex", "ptype a_holder", "-ex", "ptype b_holder", "-ex", "ptype c_holder", path]);
        Assert.True(code == 0, stderr);
        Assert.Equal(["type = int *(struct holder *)", "type = int *(struct holder *)", "type = long *(struct holder *)"],
            stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        using var image = ElfImage.Open(path);
        using var dwarf = DwarfFile.Open(path);
        var graph = new AbiTypeGraphBuilder(image, dwarf).Build();
        Assert.Equal("int", Pointee(graph, "a_holder"));
        Assert.Equal("int", Pointee(graph, "b_holder"));
        Assert.Equal("long int", Pointee(graph, "c_holder"));
        // The parameters: one struct holder for a.c and b.c, another for c.c.
        var a = Parameter(graph, "a_holder");
        Assert.Same(a, Parameter(graph, "b_holder"));
        Assert.NotSame(a, Parameter(graph, "c_holder"));
    }

    [Fact]
    public void A_declaration_resolves_to_the_first_definition_in_file_order()
    {
        // struct opaque is declared in every unit and defined in b.c only: b_secret and every node's 'hidden' member
        // reach the definition, whichever unit the DIE that reached it is in.
        using var image = ElfImage.Open(Raw("raw-dwarf5.so"));
        using var dwarf = DwarfFile.Open(Raw("raw-dwarf5.so"));
        var graph = new AbiTypeGraphBuilder(image, dwarf).Build();
        var opaque = Target(graph.Functions["b_secret"].Type.Parameters[0]);
        Assert.Equal("opaque", opaque.Name);
        Assert.False(opaque.IsDeclarationOnly);
        var node = Target(Target(graph.Functions["a_count"].Type.Parameters[0]));
        Assert.Same(opaque, Target(node.Members.Single(m => m.Name == "hidden").Type));
    }

    private static AbiType Target(AbiType type) => type.Target ?? throw new InvalidOperationException($"{type} has no target");

    private static string? Pointee(AbiTypeGraph graph, string function)
    {
        // word * -> typedef word -> the base type
        var word = Target(graph.Functions[function].Type.Target!);
        Assert.Equal("word", word.Name);
        return Target(word).Name;
    }

    private static AbiType Parameter(AbiTypeGraph graph, string function) => Target(graph.Functions[function].Type.Parameters[0]);

    private static (byte[] Bytes, int Confirmed) Baseline(string path, bool raw)
    {
        using var image = ElfImage.Open(path);
        using var dwarf = DwarfFile.Open(path);
        var builder = new AbiTypeGraphBuilder(image, dwarf) { RawDuplicates = raw };
        var graph = builder.Build();
        using var stream = new MemoryStream();
        AbiBaseline.Write(AbiSurface.Of(image), graph, stream);
        return (stream.ToArray(), builder.RawConfirmed);
    }
}
