namespace Abi.Sdk.Dwarf;

/// <summary>
/// One DWARF section's bytes (decompressed when the file compresses it), with what an error must name. Inflated bytes
/// live in a <see cref="DwarfSectionBuffer"/> that <see cref="Release"/> frees.
/// </summary>
internal sealed class DwarfSection(string name, ReadOnlyMemory<byte> data, string? fileName, bool bigEndian, IDisposable? buffer = null)
{
    public static DwarfSection Empty(string name, string? fileName, bool bigEndian) => new(name, ReadOnlyMemory<byte>.Empty, fileName, bigEndian);

    public string Name { get; } = name;

    public ReadOnlyMemory<byte> Data { get; } = data;

    public string? FileName { get; } = fileName;

    public bool BigEndian { get; } = bigEndian;

    public int Length => Data.Length;

    public DwarfCursor Cursor(long position)
    {
        if ((ulong)position > (ulong)Data.Length)
        {
            throw Error(position, $"offset 0x{position:x} is past the end of the section (0x{Data.Length:x} bytes)");
        }

        return new DwarfCursor(this, Data.Span, (int)position);
    }

    /// <summary>Frees the inflated bytes, if the section owns any (its reader is being disposed).</summary>
    public void Release() => buffer?.Dispose();

    public DwarfFormatException Error(long offset, string reason) => new(FileName, Name, offset, reason);
}
