using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Api;

/// <summary>
/// A disposed <see cref="ElfImage"/> (its file unmapped) answers every read of its bytes — symbols, their names,
/// versions, the static symbol table, the memory — with <see cref="ObjectDisposedException"/> naming the file, never
/// with freed memory; and the stream and memory verbs read what <c>readelf</c> reads from the file.
/// </summary>
public class ElfLifetimeTests
{
    private static string Library => Path.Combine(Paths.Fixtures, "elf", "libversioned.so");

    public static TheoryData<bool> Mapped => [true, false];

    [Theory]
    [MemberData(nameof(Mapped))]
    public void Symbols_names_and_versions_of_a_disposed_image_throw_ObjectDisposedException(bool mapped)
    {
        var image = mapped ? ElfImage.Open(Library) : ElfImage.Parse(File.ReadAllBytes(Library), Library);
        var symbol = image.DynamicSymbols.First(s => s.IsDefined && s.Version is not null);
        var cachedName = symbol.Name; // decoded and cached before disposal: must not be served afterwards either
        Assert.NotEmpty(cachedName);
        var table = image.DynamicSymbols;
        var soname = image.Soname;
        Assert.NotNull(soname);
        image.Dispose();

        Assert.True(image.IsDisposed);
        var ex = Assert.Throws<ObjectDisposedException>(() => symbol.Name);
        Assert.Contains(Library, ex.Message);
        Assert.Throws<ObjectDisposedException>(() => symbol.NameUtf8.Length);
        Assert.Throws<ObjectDisposedException>(() => symbol.Version);
        Assert.Throws<ObjectDisposedException>(() => symbol.ToString());
        Assert.Throws<ObjectDisposedException>(() => table[1]);
        Assert.Throws<ObjectDisposedException>(() => table.First());
        Assert.Throws<ObjectDisposedException>(() => image.ReadSymbolTable());
        Assert.Throws<ObjectDisposedException>(() => image.Memory);
        Assert.Throws<ObjectDisposedException>(() => AbiSurface.Of(image));

        // What was decoded when the image was opened is plain data and stays readable.
        Assert.Equal(soname, image.Soname);
        Assert.NotEmpty(image.VersionDefinitions);
        image.Dispose(); // twice is harmless
    }

    [Fact]
    public async Task Read_ReadAsync_and_Parse_read_the_symbols_readelf_lists()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var (code, stdout, stderr) = Tools.Run(readelf, ["--dyn-syms", "-W", Library]);
        Assert.True(code == 0, stderr);
        var expected = ReadelfOutput.Parse(stdout).Symbols.Where(s => s.Num > 0).Select(s => s.Name).ToList();
        Assert.NotEmpty(expected);
        using var opened = ElfImage.Open(Library);
        await using var stream = File.OpenRead(Library);
        using var fromAsync = await ElfImage.ReadAsync(stream, Library, TestContext.Current.CancellationToken);
        using var fromStream = ElfImage.Read(new MemoryStream(File.ReadAllBytes(Library)), Library);
        using var parsed = ElfImage.Parse(File.ReadAllBytes(Library), Library);
        foreach (var image in new[] { opened, fromAsync, fromStream, parsed })
        {
            Assert.Equal(expected, image.DynamicSymbols.Skip(1).Select(s => s.ToString()).ToList());
        }

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ElfImage.ReadAsync(File.OpenRead(Library), Library, cancelled.Token));
    }

    [Fact]
    public async Task AbiSurface_verbs_agree_for_elf_and_baselines()
    {
        var expected = AbiSurface.Open(Library);
        var bytes = File.ReadAllBytes(Library);
        Assert.Equal(expected.Fingerprint, AbiSurface.Parse(bytes, Library).Fingerprint);
        Assert.Equal(expected.Fingerprint, AbiSurface.Read(new MemoryStream(bytes), Library).Fingerprint);
        Assert.Equal(expected.Fingerprint, (await AbiSurface.ReadAsync(new MemoryStream(bytes), Library, TestContext.Current.CancellationToken)).Fingerprint);

        var baseline = new MemoryStream();
        AbiBaseline.Write(expected, baseline);
        var json = baseline.ToArray();
        Assert.Equal(expected.Fingerprint, AbiBaseline.Parse(json).Fingerprint);
        Assert.Equal(expected.Fingerprint, AbiSurface.Parse(json).Fingerprint);
        Assert.Equal(expected.Fingerprint, (await AbiBaseline.ReadAsync(new MemoryStream(json), "baseline.json", TestContext.Current.CancellationToken)).Fingerprint);
        var file = Path.Combine(Directory.CreateTempSubdirectory("abi-verbs-").FullName, "baseline.json");
        try
        {
            File.WriteAllBytes(file, json);
            Assert.Equal(expected.Fingerprint, AbiBaseline.Open(file).Fingerprint);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }
}
