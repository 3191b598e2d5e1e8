using System.Diagnostics;
using System.Globalization;
using System.Text;
using Abi.Sdk.Dwarf;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Streams <c>eu-readelf --debug-dump=info FILE</c> and walks the same file with <see cref="DwarfFile"/> in step:
/// every unit header (offset, version, abbreviation offset, address and offset size, unit type, type signature),
/// every DIE (offset, nesting, tag, abbreviation code) and every attribute (name, form, and the value as eu-readelf
/// prints it: strings, references, constants, flags, addresses, section offsets, blocks) must agree, and neither side
/// may have a DIE or attribute the other lacks. Nothing is held in memory beyond the current line.
/// </summary>
internal sealed class EuReadelfInfoComparison
{
    private const int MaxReported = 25;
    private readonly DwarfFile _dwarf;
    private readonly List<string> _mismatches = [];
    private readonly HashSet<(bool Types, ulong Offset)> _unitsSeen = [];
    private bool _typesSection;
    private DwarfUnit? _unit;
    private DwarfDieReader _dies;
    private DwarfAttributeEnumerator _attributes;
    private bool _inDie;
    private ulong _dieOffset;

    private EuReadelfInfoComparison(DwarfFile dwarf) => _dwarf = dwarf;

    public int Units { get; private set; }

    public long Dies { get; private set; }

    public long Attributes { get; private set; }

    /// <summary>Attribute values compared, by form name.</summary>
    public SortedDictionary<string, long> ValuesByForm { get; } = new(StringComparer.Ordinal);

    public long MismatchCount { get; private set; }

    public IReadOnlyList<string> Mismatches => _mismatches;

    /// <param name="euReadelf">The tool.</param>
    /// <param name="path">The file eu-readelf reads.</param>
    /// <param name="dwarf">Our reader of the same file.</param>
    /// <param name="skeleton">For a <c>.dwo</c>/<c>.dwp</c>, the file with the skeleton units (<c>--dwarf-skeleton</c>), so that eu-readelf resolves addrx through it.</param>
    public static EuReadelfInfoComparison Run(string euReadelf, string path, DwarfFile dwarf, string? skeleton = null)
    {
        var comparison = new EuReadelfInfoComparison(dwarf);
        var psi = new ProcessStartInfo(euReadelf)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Strings are bytes to eu-readelf: read them one byte to one char and compare bytes.
            StandardOutputEncoding = Encoding.Latin1,
        };
        psi.ArgumentList.Add("--debug-dump=info");
        if (skeleton is not null)
        {
            psi.ArgumentList.Add("--dwarf-skeleton=" + skeleton);
        }

        psi.ArgumentList.Add(path);
        psi.Environment["LC_ALL"] = "C";
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            comparison.Line(line);
        }

        comparison.EndUnit();
        process.WaitForExit();
        var err = stderr.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eu-readelf failed ({process.ExitCode}): {err}");
        }

        foreach (var u in dwarf.Units)
        {
            if (!comparison._unitsSeen.Contains((u.IsInTypesSection, u.Offset)))
            {
                comparison.Mismatch($"{u}: eu-readelf does not print this unit");
            }
        }

        return comparison;
    }

    public string Summary()
        => $"{Units} units, {Dies} DIEs, {Attributes} attributes; values compared: "
           + string.Join(", ", ValuesByForm.Select(kv => $"{kv.Key} {kv.Value}"));

    private void Mismatch(string what)
    {
        MismatchCount++;
        if (_mismatches.Count < MaxReported)
        {
            _mismatches.Add(what);
        }
    }

    private void Line(string line)
    {
        if (line.StartsWith("DWARF section [", StringComparison.Ordinal))
        {
            EndUnit();
            _typesSection = line.Contains("'.debug_types'", StringComparison.Ordinal) || line.Contains("'.debug_types.dwo'", StringComparison.Ordinal);
            return;
        }

        var t = line.AsSpan().TrimStart();
        if (t.StartsWith("Compilation unit at offset ") || t.StartsWith("Type unit at offset "))
        {
            EndUnit();
            ulong offset = ulong.Parse(t[(t.IndexOf("offset ") + 7)..].TrimEnd(':'), CultureInfo.InvariantCulture);
            StartUnit(offset);
            return;
        }

        if (_unit is null)
        {
            return;
        }

        if (t.StartsWith("Version: "))
        {
            // Version: 5, Abbreviation section offset: 0, Address size: 8, Offset size: 4
            var parts = t.ToString().Split(", ");
            Expect("version", _unit.Version.ToString(CultureInfo.InvariantCulture), After(parts[0], ": "));
            Expect("abbreviation offset", _unit.AbbreviationOffset.ToString(CultureInfo.InvariantCulture), After(parts[1], ": "));
            Expect("address size", _unit.AddressSize.ToString(CultureInfo.InvariantCulture), After(parts[2], ": "));
            Expect("offset size", _unit.OffsetSize.ToString(CultureInfo.InvariantCulture), After(parts[3], ": "));
            return;
        }

        if (t.StartsWith("Unit type: "))
        {
            // Unit type: type (2), Unit id: 0x84d3f0cd98f50804, Unit DIE off: 0x39 [39]
            var s = t.ToString();
            int open = s.IndexOf('(');
            Expect("unit type", ((byte)_unit.UnitType).ToString(CultureInfo.InvariantCulture), s[(open + 1)..s.IndexOf(')')]);
            if (s.Contains("Unit id: ", StringComparison.Ordinal) && _unit.UnitType is DwarfUnitType.Type)
            {
                Expect("type signature", _unit.TypeSignature, ParseHex(After(s, "Unit id: ").Split(',')[0]));
                Expect("type offset", _unit.TypeOffset, ParseHex(After(s, "Unit DIE off: ").Split(' ')[0]));
            }

            return;
        }

        if (t.StartsWith("Type signature: "))
        {
            var s = t.ToString();
            Expect("type signature", _unit.TypeSignature, ParseHex(After(s, "Type signature: ").Split(',')[0]));
            Expect("type offset", _unit.TypeOffset, ParseHex(After(s, "Type offset: ").Split(' ')[0]));
            return;
        }

        if (line.StartsWith(" [", StringComparison.Ordinal) && line.Contains(" abbrev: ", StringComparison.Ordinal))
        {
            Die(line);
            return;
        }

        if (_inDie && t.Length > 0 && t[0] != '[')
        {
            int paren = t.IndexOf(" (");
            if (paren > 0)
            {
                Attribute(t[..paren].TrimEnd().ToString(), t[(paren + 2)..].ToString());
            }
        }
    }

    private void StartUnit(ulong offset)
    {
        Units++;
        _unit = _dwarf.FindUnit(offset, _typesSection);
        if (_unit is null || _unit.Offset != offset)
        {
            Mismatch($"eu-readelf has a unit at 0x{offset:x}{(_typesSection ? " in .debug_types" : string.Empty)}; we have none there");
            _unit = null;
            return;
        }

        _unitsSeen.Add((_typesSection, offset));
        _dies = _unit.ReadDies();
    }

    private void EndUnit()
    {
        EndDie();
        if (_unit is not null && _dies.MoveNext())
        {
            Mismatch($"{_unit}: we read DIE 0x{_dies.Current.Offset:x} after eu-readelf's last");
        }

        _unit = null;
    }

    private void EndDie()
    {
        if (_inDie && _attributes.MoveNext())
        {
            Mismatch($"DIE 0x{_dieOffset:x}: we read attribute {_attributes.Current} that eu-readelf does not print");
        }

        _inDie = false;
    }

    private void Die(string line)
    {
        EndDie();
        // " [%6x]  %*s%-20s abbrev: %u": two spaces and two more per nesting level before the tag.
        int close = line.IndexOf(']');
        ulong offset = ParseHex(line[2..close].Trim());
        int tagStart = close + 1;
        while (tagStart < line.Length && line[tagStart] == ' ')
        {
            tagStart++;
        }

        int depth = (tagStart - close - 1 - 2) / 2;
        var rest = line[tagStart..];
        string tag = rest[..rest.IndexOf(' ')];
        string code = After(rest, "abbrev: ").Trim();
        Dies++;
        if (!_dies.MoveNext())
        {
            Mismatch($"eu-readelf has DIE 0x{offset:x} ({tag}); we have no more DIEs in {_unit}");
            _unit = null;
            return;
        }

        var die = _dies.Current;
        _dieOffset = die.Offset;
        if (die.Offset != offset || _dies.Depth != depth || SpecName(DwarfNames.GetName(die.Tag), "DW_TAG_") is not { } ourTag || ourTag != tag
            || die.Abbreviation.Code.ToString(CultureInfo.InvariantCulture) != code)
        {
            Mismatch($"DIE: eu-readelf 0x{offset:x} depth {depth} {tag} abbrev {code}; we 0x{die.Offset:x} depth {_dies.Depth} {DwarfNames.GetName(die.Tag)} abbrev {die.Abbreviation.Code}");
        }

        _attributes = die.Attributes;
        _inDie = true;
    }

    private void Attribute(string name, string formAndValue)
    {
        Attributes++;
        int close = formAndValue.IndexOf(')');
        string form = formAndValue[..close];
        string value = formAndValue[(close + 1)..].TrimStart(' ');
        if (!_attributes.MoveNext())
        {
            Mismatch($"DIE 0x{_dieOffset:x}: eu-readelf has attribute {name} ({form}); we have no more");
            _inDie = false;
            return;
        }

        var a = _attributes.Current;
        string? ourName = SpecName(DwarfNames.GetName(a.Attribute), "DW_AT_");
        string? ourForm = SpecName(DwarfNames.GetName(a.Form), "DW_FORM_");
        if ((ourName is not null && ourName != name) || ourForm != form)
        {
            Mismatch($"DIE 0x{_dieOffset:x}: eu-readelf {name} ({form}); we {ourName ?? $"0x{(ushort)a.Attribute:x}"} ({ourForm})");
            return;
        }

        string? problem = CheckValue(a, value);
        if (problem is not null)
        {
            Mismatch($"DIE 0x{_dieOffset:x} {name} ({form}): eu-readelf {value}; {problem}");
        }
    }

    private string? CheckValue(DwarfAttributeValue a, string text)
    {
        string? formName = SpecName(DwarfNames.GetName(a.Form), "DW_FORM_");
        string? result;
        if (a.IsString)
        {
            int first = text.IndexOf('"');
            int last = text.LastIndexOf('"');
            if (first < 0 || last <= first)
            {
                return "no quoted string";
            }

            string ours = Encoding.Latin1.GetString(a.AsStringBytes());
            result = ours == text[(first + 1)..last] ? null : $"we \"{ours}\"";
        }
        else if (a.IsReference)
        {
            var r = a.AsReference();
            // References print as [offset], type signatures as {signature}.
            string inner = r.Kind == DwarfReferenceKind.Signature ? Between(text, '{', '}') : Between(text, '[', ']');
            result = ParseHex(inner.Trim()) == r.Value ? null : $"we 0x{r.Value:x}";
        }
        else if (a.Form is DwarfForm.Flag or DwarfForm.FlagPresent)
        {
            result = (a.AsFlag() ? "yes" : "no") == text.Trim() ? null : $"we {a.AsFlag()}";
        }
        else if (a.Form is DwarfForm.Addr or DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4 or DwarfForm.GnuAddrIndex)
        {
            // "+0x0000000000001100 <sum>", "[4] +0x…" for an index, "+000000000000000000" for zero.
            int plus = text.IndexOf('+');
            string token = (plus >= 0 ? text[(plus + 1)..] : text).Split(' ')[0];
            result = ParseHex(token) == a.AsAddress() ? null : $"we 0x{a.AsAddress():x}";
        }
        else if (a.IsConstant)
        {
            result = CheckConstant(a, text);
        }
        else if (a.Form == DwarfForm.SecOffset)
        {
            // "0" for a line table, "location list [   1a]", "range list [  20]".
            ulong expected = text.Contains('[', StringComparison.Ordinal) ? ParseHex(Between(text, '[', ']').Trim()) : ulong.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
            result = expected == a.RawValue ? null : $"we 0x{a.RawValue:x}";
        }
        else if (a.Form is DwarfForm.Block1 or DwarfForm.Block2 or DwarfForm.Block4 or DwarfForm.Block && text.Length > 0)
        {
            // "8 byte block: ff ff …"
            string ours = $"{a.AsBytes().Length} byte block:" + string.Concat(a.AsBytes().ToArray().Select(b => $" {b:x2}"));
            result = ours == text.TrimEnd() ? null : $"we {ours}";
        }
        else
        {
            // exprloc, and blocks of location attributes: eu-readelf decodes the operations on the lines after; the
            // form and the position of the next attribute are compared.
            return null;
        }

        ValuesByForm[formName ?? "?"] = ValuesByForm.GetValueOrDefault(formName ?? "?") + 1;
        return result;
    }

    private static string? CheckConstant(DwarfAttributeValue a, string text)
    {
        // A plain number ("131072", "18446744073709551615 (-1)", "6 (+0x…)"), or a decoded name with the number
        // in parentheses ("C11 (29)", "types.h (1)", "signed (5)").
        // DWARF 2 and 3 point to location and range lists with data4/data8: "location list [  60]".
        if (text.Contains(" list [", StringComparison.Ordinal))
        {
            return ParseHex(Between(text, '[', ']')) == a.RawValue ? null : $"we 0x{a.RawValue:x}";
        }

        string first = text.Split(' ')[0];
        // GNU_dwo_id and other 8-byte identifiers print in hex.
        if (first.StartsWith("0x", StringComparison.Ordinal))
        {
            return ParseHex(first) == a.RawValue ? null : $"we 0x{a.RawValue:x}";
        }

        string signed = a.AsSigned().ToString(CultureInfo.InvariantCulture);
        // eu-readelf prints an sdata const_value in the width of its type ("4294967295 (-1)" for an int): the signed
        // value in parentheses is the one to compare.
        if (a.Form == DwarfForm.Sdata && text.EndsWith(')') && text.Contains(" (", StringComparison.Ordinal))
        {
            return Between(text[text.LastIndexOf('(')..], '(', ')') == signed ? null : $"we {signed}";
        }

        string candidate = first.Length > 0 && (char.IsDigit(first[0]) || first[0] == '-')
            ? first
            : text.Contains('(', StringComparison.Ordinal) ? Between(text[text.LastIndexOf('(')..], '(', ')') : first;
        string unsigned = a.RawValue.ToString(CultureInfo.InvariantCulture);
        return candidate == unsigned || candidate == signed ? null : $"we {unsigned} ({signed})";
    }

    private void Expect(string what, string ours, string theirs)
    {
        if (ours != theirs.Trim())
        {
            Mismatch($"{_unit}: {what}: eu-readelf {theirs.Trim()}, we {ours}");
        }
    }

    private void Expect(string what, ulong ours, ulong theirs)
    {
        if (ours != theirs)
        {
            Mismatch($"{_unit}: {what}: eu-readelf 0x{theirs:x}, we 0x{ours:x}");
        }
    }

    private static string? SpecName(string? name, string prefix) => name is null ? null : name[prefix.Length..];

    private static string After(string s, string marker) => s[(s.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];

    private static string Between(string s, char open, char close)
    {
        int o = s.IndexOf(open);
        int c = s.IndexOf(close, o + 1);
        return o < 0 || c < 0 ? string.Empty : s[(o + 1)..c];
    }

    private static ulong ParseHex(string s)
    {
        s = s.Trim();
        if (s.StartsWith("0x", StringComparison.Ordinal))
        {
            s = s[2..];
        }

        return ulong.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : ulong.MaxValue;
    }
}
