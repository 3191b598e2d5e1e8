using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;

namespace Abi.Sdk.Interactive;

/// <summary>One column of a table: its header and how a row spells its cell.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Header">The column header.</param>
/// <param name="Cell">The cell text of a row (escaped when written), or <see langword="null"/> for an empty cell.</param>
/// <param name="Numeric">Right-aligned.</param>
internal sealed record Column<T>(string Header, Func<T, string?> Cell, bool Numeric = false);

/// <summary>
/// Writes one notebook output: a summary line, fact tables, and tables in <c>&lt;details&gt;</c> sections. Every text
/// that comes from a model (symbol names, paths, package metadata: from files that may be hostile) is HTML-escaped
/// and capped in length here, and every table stops after <see cref="RowLimit"/> rows and says how many it left out.
/// </summary>
internal sealed class HtmlReport
{
    /// <summary>Cell text longer than this is cut (a hostile ELF string table can hold a name of megabytes).</summary>
    internal const int MaxCellLength = 2048;

    // Scoped to the output's root element; td needs two selectors' weight to beat Jupyter's right-aligned cells.
    private const string Style =
        "<style>" +
        ".abi-sdk table{border-collapse:collapse;margin:2px 0 6px 0}" +
        ".abi-sdk table th,.abi-sdk table td{text-align:left;vertical-align:top;padding:1px 8px;white-space:pre-wrap}" +
        ".abi-sdk table td.n{text-align:right}" +
        ".abi-sdk details>summary{cursor:pointer}" +
        ".abi-sdk p{margin:2px 0}" +
        "</style>";

    // C0 controls but tab, LF and CR (kept: XML allows them, and package descriptions have line breaks), and DEL.
    private static readonly SearchValues<char> Controls = SearchValues.Create(
        "\0\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f");

    private readonly TextWriter _writer;

    public HtmlReport(TextWriter writer, int rowLimit)
    {
        _writer = writer;
        RowLimit = Math.Max(0, rowLimit);
    }

    /// <summary>The most rows a table shows.</summary>
    public int RowLimit { get; }

    /// <summary>Opens the output and writes its summary line: the title in bold, then the summary.</summary>
    public void Begin(string? title, string? summary)
    {
        _writer.Write("<div class=\"abi-sdk\">");
        _writer.Write(Style);
        _writer.Write("<p class=\"abi-summary\">");
        if (title is not null)
        {
            _writer.Write("<b>");
            Text(title);
            _writer.Write("</b>");
            if (summary is not null)
            {
                _writer.Write(": ");
            }
        }

        Text(summary);
        _writer.Write("</p>");
    }

    /// <summary>Opens an output that is only a table.</summary>
    public void Begin()
    {
        _writer.Write("<div class=\"abi-sdk\">");
        _writer.Write(Style);
    }

    /// <summary>Closes the output.</summary>
    public void End() => _writer.Write("</div>");

    /// <summary>A two-column table of name and value; rows whose value is <see langword="null"/> are left out.</summary>
    public void Facts(params ReadOnlySpan<(string Name, string? Value)> facts)
    {
        _writer.Write("<table class=\"abi-facts\"><tbody>");
        foreach (var (name, value) in facts)
        {
            if (value is null)
            {
                continue;
            }

            _writer.Write("<tr><th>");
            Text(name);
            _writer.Write("</th><td>");
            Text(value);
            _writer.Write("</td></tr>");
        }

        _writer.Write("</tbody></table>");
    }

    /// <summary>
    /// A collapsible section holding a table, titled with the row count (<c>Removed symbols (3)</c>); nothing when
    /// there are no rows and <paramref name="showEmpty"/> is false.
    /// </summary>
    public void Section<T>(string title, IReadOnlyCollection<T> rows, IReadOnlyList<Column<T>> columns, bool open = false, bool showEmpty = false)
    {
        if (rows.Count == 0 && !showEmpty)
        {
            return;
        }

        _writer.Write(open ? "<details open=\"\"><summary>" : "<details><summary>");
        Text(string.Create(CultureInfo.InvariantCulture, $"{title} ({rows.Count})"));
        _writer.Write("</summary>");
        Table(rows, columns);
        _writer.Write("</details>");
    }

    /// <summary>
    /// A table of the first <see cref="RowLimit"/> rows; the rest are only counted (each is enumerated once, so a
    /// lazy query runs once) and a line below says how many were left out.
    /// </summary>
    /// <returns>The number of rows.</returns>
    public int Table<T>(IEnumerable<T> rows, IReadOnlyList<Column<T>> columns)
    {
        _writer.Write("<table class=\"abi-table\"><thead><tr>");
        foreach (var column in columns)
        {
            _writer.Write("<th>");
            Text(column.Header);
            _writer.Write("</th>");
        }

        _writer.Write("</tr></thead><tbody>");
        var count = 0;
        using (var e = rows.GetEnumerator())
        {
            while (count < RowLimit && e.MoveNext())
            {
                count++;
                _writer.Write("<tr>");
                foreach (var column in columns)
                {
                    _writer.Write(column.Numeric ? "<td class=\"n\">" : "<td>");
                    Text(column.Cell(e.Current));
                    _writer.Write("</td>");
                }

                _writer.Write("</tr>");
            }

            _writer.Write("</tbody></table>");
            var shown = count;
            if (rows is IReadOnlyCollection<T> collection)
            {
                count = Math.Max(count, collection.Count);
            }
            else
            {
                while (e.MoveNext())
                {
                    count++;
                }
            }

            if (count > shown)
            {
                _writer.Write("<p class=\"abi-more\">");
                Text(string.Create(CultureInfo.InvariantCulture,
                    $"… {count - shown} more {(count - shown == 1 ? "row" : "rows")} ({count} in all; Formatter.ListExpansionLimit = {RowLimit})"));
                _writer.Write("</p>");
            }
        }

        return count;
    }

    /// <summary>
    /// Writes model text: control characters other than tab and line breaks as readelf prints them (<c>^A</c>), cut
    /// at <see cref="MaxCellLength"/> characters, then HTML-escaped. The output stays well-formed XML as well as HTML.
    /// </summary>
    public void Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var cut = text.Length;
        if (cut > MaxCellLength)
        {
            cut = char.IsHighSurrogate(text[MaxCellLength - 1]) ? MaxCellLength - 1 : MaxCellLength; // never split a pair
        }

        var shown = text.AsSpan(0, cut);
        if (shown.IndexOfAny(Controls) >= 0)
        {
            var visible = new StringBuilder(shown.Length + 8);
            foreach (var c in shown)
            {
                if (Controls.Contains(c))
                {
                    visible.Append('^').Append((char)(c ^ 0x40));
                }
                else
                {
                    visible.Append(c);
                }
            }

            _writer.Write(WebUtility.HtmlEncode(visible.ToString()));
        }
        else
        {
            _writer.Write(WebUtility.HtmlEncode(shown.ToString()));
        }

        if (cut < text.Length)
        {
            _writer.Write(WebUtility.HtmlEncode(string.Create(CultureInfo.InvariantCulture, $"… ({text.Length - cut} more characters)")));
        }
    }
}
