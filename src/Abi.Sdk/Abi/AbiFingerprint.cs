using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// A stable 128-bit XXH3 fingerprint of an <see cref="AbiSurface"/>: SONAME, class, machine, DT_NEEDED, version
/// nodes and symbols (name, version, default-ness, kind, binding, visibility, and size for data) in a canonical
/// order. Two surfaces with equal fingerprints are the same ABI; function sizes and symbol order do not count.
/// </summary>
public readonly record struct AbiFingerprint(UInt128 Value)
{
    /// <summary>Lower-case hexadecimal, 32 digits.</summary>
    /// <returns>The hex string.</returns>
    public override string ToString() => Value.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses the 32-digit hexadecimal form.</summary>
    /// <param name="hex">The text.</param>
    /// <param name="fingerprint">The fingerprint.</param>
    /// <returns>False when the text is not 32 hexadecimal digits.</returns>
    public static bool TryParse(string? hex, out AbiFingerprint fingerprint)
    {
        fingerprint = default;
        if (hex is not { Length: 32 } || !UInt128.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var v))
        {
            return false;
        }

        fingerprint = new AbiFingerprint(v);
        return true;
    }

    internal static AbiFingerprint Compute(AbiSurface surface)
    {
        var hash = new XxHash128();
        var buffer = new byte[256];
        void Str(string? s)
        {
            if (s is null)
            {
                Int(-1);
                return;
            }

            int max = Encoding.UTF8.GetMaxByteCount(s.Length);
            if (buffer.Length < max + 4)
            {
                buffer = new byte[max + 4];
            }

            int n = Encoding.UTF8.GetBytes(s, buffer.AsSpan(4));
            BinaryPrimitives.WriteInt32LittleEndian(buffer, n);
            hash.Append(buffer.AsSpan(0, n + 4));
        }

        void Int(long v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            hash.Append(b);
        }

        Str("abi-surface/1");
        Str(surface.Soname);
        Int((long)surface.Class);
        Int((long)surface.Machine);
        Int(surface.Needed.Length);
        foreach (var n in surface.Needed)
        {
            Str(n);
        }

        var versions = surface.Versions.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
        Int(versions.Length);
        foreach (var v in versions)
        {
            Str(v.Name);
            Int(v.Predecessors.Length);
            foreach (var p in v.Predecessors)
            {
                Str(p);
            }
        }

        // Symbols: the wrapping sum of per-symbol hashes, a multiset hash, so that no sort is needed and the
        // .dynsym order does not count.
        UInt128 sum = 0;
        var one = new byte[512];
        foreach (var s in surface.Symbols)
        {
            // The stored UTF-8 name is exactly what encoding Name gives, so fingerprints do not change.
            var name = s.NameUtf8;
            int max = name.Length + Encoding.UTF8.GetMaxByteCount(s.Version?.Length ?? 0) + 32;
            if (one.Length < max)
            {
                one = new byte[max];
            }

            name.CopyTo(one);
            int n = name.Length;
            one[n++] = 0;
            if (s.Version is not null)
            {
                n += Encoding.UTF8.GetBytes(s.Version, one.AsSpan(n));
            }

            one[n++] = 0;
            one[n++] = (byte)((s.Version is null ? 0 : 1) | (s.IsDefaultVersion ? 2 : 0));
            one[n++] = (byte)s.Type;
            one[n++] = (byte)s.Binding;
            one[n++] = (byte)s.Visibility;
            BinaryPrimitives.WriteUInt64LittleEndian(one.AsSpan(n), s.IsData ? s.Size : 0);
            n += 8;
            sum += XxHash128.HashToUInt128(one.AsSpan(0, n));
        }

        Int(surface.Symbols.Length);
        Span<byte> total = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(total, sum);
        hash.Append(total);
        return new AbiFingerprint(hash.GetCurrentHashAsUInt128());
    }
}
