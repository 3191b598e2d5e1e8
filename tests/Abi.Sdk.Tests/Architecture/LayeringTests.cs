using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Architecture;

/// <summary>
/// The house's layering (docs/architecture.md), checked on src/Abi.Sdk with the compiler's semantic model: data flows
/// one way (IO → Elf, Rpm → Dependencies, Abi → Compatibility → Distribution → Reporting; the CLI on top, in its own
/// assembly), the namespace is the folder, and ELF bytes are decoded only in the format areas.
/// </summary>
public class LayeringTests
{
    /// <summary>
    /// Known violations, each with its reason; empty since the house of issue 13 was built. An entry matches every
    /// violation of its rule in its file, and an entry that matches nothing fails the test, so the list stays true.
    /// </summary>
    private static readonly (string File, string Rule, string Reason)[] Pending = [];

    [Fact]
    public void The_library_follows_the_layering()
    {
        var violations = LayeringChecker.CheckFolder(Path.Combine(Paths.RepositoryRoot, "src", "Abi.Sdk"));
        var unexpected = violations.Where(v => !Pending.Any(p => p.File == v.File && p.Rule == v.Rule)).ToList();
        Assert.True(unexpected.Count == 0, "layering violations:\n" + string.Join("\n", unexpected));
        var stale = Pending.Where(p => !violations.Any(v => p.File == v.File && p.Rule == v.Rule)).ToList();
        Assert.True(stale.Count == 0, "fixed, remove from Pending: " + string.Join("; ", stale.Select(p => $"{p.File} {p.Rule}")));
    }

    /// <summary>The checker itself, on a small library: each rule caught once, allowed directions and comments not flagged.</summary>
    [Fact]
    public void The_checker_catches_each_kind_of_violation()
    {
        (string, string)[] sources =
        [
            ("Root.cs", "namespace Abi.Sdk; public class SdkError : System.Exception { }"),
            ("IO/Span.cs", "namespace Abi.Sdk.IO; public static class Bytes { public static byte[] Empty => []; }"),
            ("Elf/Image.cs", """
                using System.Buffers.Binary;
                namespace Abi.Sdk.Elf;
                public enum DynamicTag { DT_NULL = 0, DT_NEEDED = 1 }
                public sealed class Image
                {
                    private const int SHT_DYNAMIC = 6;
                    public uint Read(byte[] b) => BinaryPrimitives.ReadUInt32LittleEndian(b) + SHT_DYNAMIC + (uint)global::Abi.Sdk.IO.Bytes.Empty.Length;
                    public static Image From(global::Abi.Sdk.Abi.Surface surface) => new();
                }
                """),
            ("Abi/Surface.cs", """
                using System.Buffers.Binary;
                using System.Runtime.InteropServices;
                namespace Abi.Sdk.Abi;
                // Reporting writes it (Abi.Sdk.Reporting.Text): a comment is not a dependency.
                public sealed class Surface
                {
                    public global::Abi.Sdk.Elf.Image? Image { get; init; }
                    public void Hash(byte[] b) => BinaryPrimitives.WriteUInt32LittleEndian(b, 1);
                    public int Peek(byte[] b) => MemoryMarshal.Read<int>(b);
                }
                """),
            ("Abi/Misplaced.cs", "namespace Abi.Sdk.Compatibility; public sealed class Misplaced { }"),
            ("Compatibility/Scanner.cs", """
                using System.Buffers.Binary;
                using Abi.Sdk.Reporting;
                namespace Abi.Sdk.Compatibility;
                internal enum Section { SHT_RELA = 4 }
                public sealed class Scanner
                {
                    private const int EISDIR = 21;
                    private const long DT_RELA = 7;
                    public ulong Info(byte[] b) => BinaryPrimitives.ReadUInt64LittleEndian(b) + DT_RELA + EISDIR;
                    public int Lines(global::Abi.Sdk.Abi.Surface s) => s.LineCount();
                }
                """),
            ("Reporting/Text.cs", """
                namespace Abi.Sdk.Reporting;
                public static class Text
                {
                    public static int LineCount(this global::Abi.Sdk.Abi.Surface surface) => surface.Image is null ? 0 : 1;
                }
                """),
        ];

        var found = LayeringChecker.Check(sources).Select(v => (v.File, v.Rule, v.Detail)).ToList();

        Assert.Equal(
            [
                ("Abi/Misplaced.cs", "dependency", "Abi uses Abi.Sdk.Compatibility"),
                ("Abi/Misplaced.cs", "namespace", "declares namespace Abi.Sdk.Compatibility, its folder says Abi.Sdk.Abi"),
                ("Abi/Surface.cs", "elf-bytes", "decodes bytes with MemoryMarshal.Read"),
                ("Compatibility/Scanner.cs", "dependency", "Compatibility uses Abi.Sdk.Reporting"),
                ("Compatibility/Scanner.cs", "elf-constant", "declares SHT_RELA"),
                ("Compatibility/Scanner.cs", "elf-constant", "declares DT_RELA"),
                ("Compatibility/Scanner.cs", "elf-bytes", "decodes bytes with BinaryPrimitives.ReadUInt64LittleEndian"),
                ("Elf/Image.cs", "dependency", "Elf uses Abi.Sdk.Abi"),
            ],
            found);

        // The extension method is resolved to its class, not only to the using line: without the using directive
        // (called as a static method by its full name) the dependency is still found.
        var qualified = sources.Select(s => s.Item1 == "Compatibility/Scanner.cs"
            ? (s.Item1, s.Item2.Replace("using Abi.Sdk.Reporting;", string.Empty, StringComparison.Ordinal).Replace("s.LineCount()", "global::Abi.Sdk.Reporting.Text.LineCount(s)", StringComparison.Ordinal))
            : s);
        var dependency = Assert.Single(LayeringChecker.Check(qualified), v => v.File == "Compatibility/Scanner.cs" && v.Rule == "dependency");
        Assert.Equal("Text.LineCount(Surface)", dependency.Example);
    }
}
