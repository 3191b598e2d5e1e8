namespace Abi.Sdk.Elf;

public sealed partial class ElfImage
{
    /// <summary>The first section named <paramref name="name"/>, as readelf lists them.</summary>
    /// <param name="name">The section name, for example <c>.debug_info</c>.</param>
    /// <returns>The section, or <see langword="null"/> when the file has none of that name.</returns>
    public ElfSection? FindSection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var s in Sections)
        {
            if (s.Name == name)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>
    /// The bytes of <paramref name="section"/> as the file stores them (a compressed section stays compressed); empty
    /// for SHT_NOBITS, which occupies no bytes in the file.
    /// </summary>
    /// <param name="section">A section of this image.</param>
    /// <returns>The bytes, a slice of <see cref="Memory"/>.</returns>
    /// <exception cref="ElfFormatException">The section runs past the end of the file.</exception>
    public ReadOnlyMemory<byte> GetSectionData(ElfSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section.Type == ElfSectionType.SHT_NOBITS)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var (offset, length) = Range(section.Offset, section.Size, $"section {section.Name}");
        return _memory.Slice(offset, length);
    }

    /// <summary>The bytes of <paramref name="segment"/> in the file (p_offset, p_filesz): what the loader maps from the file.</summary>
    /// <param name="segment">A program header of this image.</param>
    /// <returns>The bytes, a slice of <see cref="Memory"/>.</returns>
    /// <exception cref="ElfFormatException">The segment runs past the end of the file.</exception>
    public ReadOnlyMemory<byte> GetSegmentData(ElfSegment segment)
    {
        var (offset, length) = Range(segment.Offset, segment.FileSize, $"{segment.Type} segment");
        return _memory.Slice(offset, length);
    }
}
