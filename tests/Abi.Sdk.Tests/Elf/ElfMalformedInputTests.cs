using System.Buffers.Binary;
using System.Diagnostics;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// Bad input: every truncation and a systematic set of corrupted fields of real files either reads, or fails with
/// <see cref="ElfFormatException"/> naming the file and an offset inside it — never another exception, never a
/// hang, never an allocation out of proportion to the input.
/// </summary>
public class ElfMalformedInputTests
{
    public static TheoryData<string> Inputs => new(
        "libversioned.so", "libversioned-noshdr.so", "libversioned-sysv-noshdr.so", "libversioned-i686.so",
        "libversioned-i686-noshdr.so", "libversioned-s390x.so", "libversioned-s390x-noshdr.so", "libconsumer.so", "app");

    /// <summary>Reads everything the model offers, names and versions included (they are decoded lazily).</summary>
    internal static long ReadEverything(ElfImage image)
    {
        long sink = (long)image.Header.Entry + image.Segments.Length + image.Sections.Length;
        sink += image.Interpreter?.Length ?? 0;
        sink += image.Soname?.Length ?? 0;
        sink += image.Needed.Sum(n => n.Length);
        sink += image.Dynamic?.RPath?.Length ?? 0;
        sink += image.Dynamic?.RunPath?.Length ?? 0;
        sink += image.BuildId.Length + (image.DebugLink?.FileName.Length ?? 0);
        sink += image.IsPositionIndependentExecutable ? 1 : 0;
        foreach (var d in image.VersionDefinitions)
        {
            sink += d.Name.Length + d.Predecessors.Sum(p => p.Length);
        }

        foreach (var n in image.VersionNeeds)
        {
            sink += n.FileName.Length + n.Versions.Sum(v => v.Name.Length + v.FileName.Length);
        }

        sink += image.Notes.Sum(n => n.Name.Length + n.Descriptor.Length);
        sink += image.AbiTag?.Major ?? 0;
        sink += image.GnuProperties.Properties.Length + (long)(image.GnuProperties.X86IsaNeeded ?? 0);
        foreach (var r in image.DynamicRelocations)
        {
            sink += (long)r.Offset + r.SymbolIndex + r.Addend + (int)r.Kind;
        }

        if (image.GnuHashTable is { } gnu)
        {
            foreach (var s in image.DynamicSymbols.Take(50))
            {
                sink += gnu.Find(s.NameUtf8);
            }
        }

        foreach (var s in image.DynamicSymbols)
        {
            sink += s.NameUtf8.Length + s.Name.Length + s.ToString().Length + (long)s.Size;
            sink += s.Version?.Name.Length ?? 0;
            sink += s.IsDefaultVersion ? 1 : 0;
            sink += s.IsVersionMarker ? 1 : 0;
            sink += s.DisplayVersion is null ? 0 : 1;
        }

        return sink;
    }

    /// <summary>Loads and reads <paramref name="bytes"/>; returns the error, if any, after checking it is the typed one.</summary>
    private static ElfFormatException? Probe(byte[] bytes, string label)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        ElfFormatException? error = null;
        try
        {
            using var image = ElfImage.Parse(bytes, label);
            ReadEverything(image);
        }
        catch (ElfFormatException ex)
        {
            error = ex;
            Assert.Equal(label, ex.FileName);
            Assert.InRange(ex.Offset, 0, long.MaxValue);
            Assert.False(string.IsNullOrEmpty(ex.Reason));
        }
        catch (Exception ex)
        {
            Assert.Fail($"{label}: {ex.GetType().Name} instead of ElfFormatException: {ex.Message}\n{ex.StackTrace}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Names are materialised as UTF-16 strings and versions as objects, so a well-formed read allocates a few
        // times the input; a corrupted count must never make it allocate out of proportion.
        Assert.True(allocated < (32L * bytes.Length) + (1 << 20), $"{label}: allocated {allocated} bytes for {bytes.Length} bytes of input");
        Assert.True(watch.ElapsedMilliseconds < 5000, $"{label}: took {watch.ElapsedMilliseconds} ms");
        return error;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_truncation_reads_or_fails_with_ElfFormatException(string name)
    {
        var original = File.ReadAllBytes(Path.Combine(Paths.Fixtures, "elf", name));
        int failures = 0;
        for (int length = 0; length < original.Length; length++)
        {
            if (Probe(original[..length], $"{name}[..{length}]") is not null)
            {
                failures++;
            }
        }

        // A file cut inside its headers or tables must fail; only cuts after the last structure read may pass.
        Assert.True(failures > original.Length / 4, $"only {failures} of {original.Length} truncations were rejected");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_corrupted_field_reads_or_fails_with_ElfFormatException(string name)
    {
        var original = File.ReadAllBytes(Path.Combine(Paths.Fixtures, "elf", name));
        bool big = original[5] == 2;
        var bytes = (byte[])original.Clone();
        ulong length = (ulong)original.Length;
        ulong[] wordValues = [0, 1, 0x7fff, 0x8001, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, length - 1, length, length + 1, 0xffffffffffffffff];
        ushort[] halfValues = [0, 1, 2, 0x7fff, 0x8000, 0x8002, 0xffff];
        int rejected = 0, probes = 0;

        // Every aligned 2-, 4- and 8-byte field of the file, set to values that break counts, offsets and links.
        for (int at = 0; at + 2 <= original.Length; at += 2)
        {
            foreach (var v in halfValues)
            {
                Write(bytes, at, 2, v, big);
                rejected += Probe(bytes, $"{name}@0x{at:x}=u16:0x{v:x}") is null ? 0 : 1;
                probes++;
            }

            Array.Copy(original, at, bytes, at, 2);
            if (at % 4 == 0 && at + 4 <= original.Length)
            {
                foreach (var v in wordValues)
                {
                    Write(bytes, at, 4, v, big);
                    rejected += Probe(bytes, $"{name}@0x{at:x}=u32:0x{v:x}") is null ? 0 : 1;
                    probes++;
                }

                Array.Copy(original, at, bytes, at, 4);
            }

            if (at % 8 == 0 && at + 8 <= original.Length && original[4] == 2)
            {
                foreach (var v in wordValues)
                {
                    Write(bytes, at, 8, v, big);
                    rejected += Probe(bytes, $"{name}@0x{at:x}=u64:0x{v:x}") is null ? 0 : 1;
                    probes++;
                }

                Array.Copy(original, at, bytes, at, 8);
            }
        }

        Assert.True(rejected > 0, $"none of {probes} corruptions was rejected");
    }

    private static void Write(byte[] bytes, int at, int size, ulong value, bool big)
    {
        var span = bytes.AsSpan(at, size);
        switch (size)
        {
            case 2 when big: BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value); break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            case 4 when big: BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value); break;
            case 8 when big: BinaryPrimitives.WriteUInt64BigEndian(span, value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(span, value); break;
        }
    }
}
