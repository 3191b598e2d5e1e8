using System.Globalization;
using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The HTML reports of package and distribution diffs, as <c>abi pkgdiff --html</c> and <c>abi distdiff --html</c>
/// write them: one self-contained page (inline CSS and script, nothing fetched; a content security policy forbids
/// it) with the summary, one table per verdict whose rows a text box filters (by package, path or diagnostic ID; also
/// from the address, <c>report.html#filter=libfoo</c>) and whose column headers sort, and each package's findings,
/// NEEDED chains and changes in an expandable <c>&lt;details&gt;</c>. A package diff is shown as a one-package
/// distribution page. Every name, path and message is HTML-escaped: package contents are not trusted.
/// </summary>
public static class DistributionHtmlReport
{
    /// <summary>Writes the page of a distribution diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void Write(DistributionDiff diff, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        WritePage(diff, "Distribution diff", writer);
    }

    /// <summary>Writes the page of a distribution diff as UTF-8.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination; left open.</param>
    public static void Write(DistributionDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        Write(diff, writer);
    }

    /// <summary>Writes the page of a package diff: a one-package distribution page.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void Write(PackageDiff diff, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        WritePage(DistributionReportModel.AsDistribution(diff), $"Package diff {diff.Old} → {diff.New}", writer);
    }

    /// <summary>Writes the page of a package diff as UTF-8.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination; left open.</param>
    public static void Write(PackageDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        Write(diff, writer);
    }

    /// <summary>Escapes text for HTML content and quoted attribute values.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with <c>&amp; &lt; &gt; " '</c> replaced by character references.</returns>
    internal static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    private static void WritePage(DistributionDiff diff, string title, TextWriter w)
    {
        var inv = CultureInfo.InvariantCulture;
        var verdict = Verdicts.Name(diff.Verdict);
        var s = diff.Summary;
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        w.Write($"<title>{Escape(title)}: {verdict}</title>\n<style>{Css}</style>\n</head>\n<body>\n<header>\n");
        w.Write($"<h1>{Escape(title)}: <span class=\"verdict {verdict}\">{verdict}</span></h1>\n");
        if (!diff.Reference.IsEmpty || !diff.Rebuild.IsEmpty)
        {
            w.Write($"<p class=\"inputs\">Reference: {string.Join(", ", diff.Reference.Select(r => $"<code>{Escape(r)}</code>"))}<br>Rebuild: {string.Join(", ", diff.Rebuild.Select(r => $"<code>{Escape(r)}</code>"))}</p>\n");
        }

        w.Write("<ul class=\"summary\">\n");
        w.Write(string.Create(inv, $"<li class=\"incompatible\"><b>{s.Incompatible}</b> incompatible</li>\n<li class=\"review\"><b>{s.Review}</b> to review</li>\n<li class=\"compatible\"><b>{s.Compatible}</b> compatible</li>\n"));
        w.Write(string.Create(inv, $"<li class=\"{(s.Unreadable > 0 ? "unreadable" : "plain")}\"><b>{s.Unreadable}</b> unreadable</li>\n<li class=\"plain\">{Bold(DistributionReportModel.Count(s.Packages, "package"))}, {Bold(DistributionReportModel.Count(diff.Applications.Length, "application"))}, {Bold(DistributionReportModel.Count(s.Binaries, "binary"))} checked</li>\n</ul>\n</header>\n<main>\n"));

        if (!diff.Diagnostics.IsEmpty)
        {
            w.Write("<section id=\"set\">\n<h2>About the sets</h2>\n<ul class=\"findings\">\n");
            foreach (var d in diff.Diagnostics)
            {
                WriteDiagnostic(w, d);
            }

            w.Write("</ul>\n</section>\n");
        }

        if (!diff.Errors.IsEmpty)
        {
            w.Write(string.Create(inv, $"<section id=\"errors\">\n<h2>Unreadable ({diff.Errors.Length})</h2>\n<table>\n<thead><tr><th>File</th><th>Offset</th><th>Reason</th></tr></thead>\n<tbody>\n"));
            foreach (var e in diff.Errors)
            {
                w.Write($"<tr><td><code>{Escape(e.Path)}</code></td><td>{(e.Offset is { } o ? o.ToString(inv) : "—")}</td><td>{Escape(e.Reason)}</td></tr>\n");
            }

            w.Write("</tbody>\n</table>\n</section>\n");
        }

        w.Write("<div class=\"filter\"><label for=\"filter\">Filter</label> <input id=\"filter\" type=\"search\" placeholder=\"package, path or diagnostic ID\" autocomplete=\"off\"> <span id=\"shown\"></span></div>\n");
        var entries = DistributionReportModel.Entries(diff);
        foreach (var v in new[] { Verdict.Incompatible, Verdict.Review, Verdict.Compatible })
        {
            var name = Verdicts.Name(v);
            var group = entries.Where(e => e.Verdict == v).ToList();
            var heading = v switch { Verdict.Incompatible => "Incompatible", Verdict.Review => "To review", _ => "Compatible" };
            w.Write(string.Create(inv, $"<section id=\"{name}\" class=\"{name}\">\n<h2>{heading} (<span class=\"count\">{group.Count}</span>)</h2>\n"));
            if (group.Count == 0)
            {
                w.Write("<p class=\"none\">None.</p>\n</section>\n");
                continue;
            }

            w.Write("<table class=\"report\">\n<thead><tr><th data-sort=\"text\">Package</th><th data-sort=\"text\">Arch</th><th data-sort=\"text\">Kind</th><th data-sort=\"text\">EVR</th><th data-sort=\"number\">Findings</th><th>Details</th></tr></thead>\n<tbody>\n");
            foreach (var e in group)
            {
                WriteRow(w, e);
            }

            w.Write("</tbody>\n</table>\n</section>\n");
        }

        w.Write($"</main>\n<script>{Script}</script>\n</body>\n</html>\n");
        w.Flush();
    }

    private static void WriteRow(TextWriter w, DistributionEntry e)
    {
        var inv = CultureInfo.InvariantCulture;

        // What the filter matches: names, NEVRAs, the application file, and every finding's ID, path and NEEDED chain.
        var search = new List<string?> { e.Name, e.Label, e.Rebuild?.ToString(), e.File };
        foreach (var d in e.Diagnostics)
        {
            search.Add(d.Id);
            search.Add(d.Path);
            if (d.NeededBy is { } chain)
            {
                search.AddRange(chain.Objects);
            }
        }

        foreach (var b in e.Binaries)
        {
            search.Add(b.Path);
        }

        var key = string.Join(" ", search.Where(x => !string.IsNullOrEmpty(x)).Distinct(StringComparer.Ordinal)).ToLowerInvariant();
        var findings = e.Diagnostics.Count(d => d.Verdict != Verdict.Compatible);
        w.Write($"<tr data-search=\"{Escape(key)}\"><td><code>{Escape(e.Name)}</code></td><td>{Escape(e.Arch)}</td><td>{(e.IsApplication ? "application" : "package")}</td><td>{Escape(DistributionReportModel.EvrText(e))}</td>");
        w.Write(string.Create(inv, $"<td class=\"num\">{findings}</td><td>"));
        bool hasDetails = !e.Diagnostics.IsEmpty || !e.InstallProblems.IsEmpty || e.Diff is { Dependencies.IsEmpty: false } or { Files.IsEmpty: false } or { Libraries.IsEmpty: false };
        if (!hasDetails)
        {
            var loads = e.Binaries.Length switch { 0 => "no findings", 1 => "no findings; its binary loads", var n => string.Create(inv, $"no findings; its {n} binaries load") };
            w.Write($"<span class=\"quiet\">{loads}</span></td></tr>\n");
            return;
        }

        var label = e.IsApplication ? $"{e.Label} ({e.File})" : (e.Reference, e.Rebuild) switch
        {
            ({ } r, { } b) => $"{r} → {b}",
            ({ } r, null) => $"{r} (only in the reference)",
            (null, { } b) => $"{b} (only in the rebuild)",
            _ => e.Name,
        };
        var notes = e.Diagnostics.Length - findings;
        var what = (findings, notes) switch
        {
            (0, 0) => "changes",
            (0, _) => string.Create(inv, $"{notes} compatible change{(notes == 1 ? string.Empty : "s")}"),
            (_, 0) => string.Create(inv, $"{findings} finding{(findings == 1 ? string.Empty : "s")}"),
            _ => string.Create(inv, $"{findings} finding{(findings == 1 ? string.Empty : "s")}, {notes} compatible"),
        };
        w.Write($"<details><summary>{what}</summary>\n<p class=\"label\">{Escape(label)}</p>\n");
        if (!e.InstallProblems.IsEmpty)
        {
            w.Write("<h3>Cannot be installed on the rebuild</h3>\n<ul>\n");
            foreach (var p in e.InstallProblems)
            {
                w.Write($"<li>{Escape(p.ToString())}</li>\n");
            }

            w.Write("</ul>\n");
        }

        if (!e.Diagnostics.IsEmpty)
        {
            w.Write("<ul class=\"findings\">\n");
            foreach (var d in e.Diagnostics)
            {
                WriteDiagnostic(w, d);
            }

            w.Write("</ul>\n");
        }

        if (e.Diff is { } diff)
        {
            if (!diff.Dependencies.IsEmpty)
            {
                w.Write("<h3>Dependency changes</h3>\n<ul class=\"changes\">\n");
                foreach (var d in diff.Dependencies)
                {
                    w.Write($"<li><span class=\"tag\">{(d.Change == DependencyChangeKind.Removed ? "removed" : "added")}</span> {d.Kind}: <code>{Escape(d.Dependency.ToString())}</code></li>\n");
                }

                w.Write("</ul>\n");
            }

            if (!diff.Files.IsEmpty)
            {
                w.Write("<h3>File changes</h3>\n<ul class=\"changes\">\n");
                foreach (var f in diff.Files)
                {
                    var change = f.Change switch
                    {
                        FileChangeKind.Removed => "removed",
                        FileChangeKind.Added => "added",
                        _ => $"{DistributionReportModel.FileType(f.Old)} → {DistributionReportModel.FileType(f.New)}",
                    };
                    w.Write($"<li><span class=\"tag\">{Escape(change)}</span> <code>{Escape(f.Path)}</code></li>\n");
                }

                w.Write("</ul>\n");
            }

            if (!diff.Libraries.IsEmpty)
            {
                w.Write("<h3>Shared libraries</h3>\n<ul class=\"changes\">\n");
                foreach (var l in diff.Libraries)
                {
                    var paths = l.OldPath == l.NewPath ? $"<code>{Escape(l.OldPath)}</code>" : $"<code>{Escape(l.OldPath)}</code> → <code>{Escape(l.NewPath)}</code>";
                    var counts = $"{DistributionReportModel.Count(l.Diff.RemovedSymbols.Length, "symbol")} removed, {l.Diff.AddedSymbols.Length.ToString(inv)} added; {DistributionReportModel.Count(l.Diff.Diagnostics.Length, "ABI diagnostic")}";
                    w.Write($"<li>{paths}{(l.IsPrivate ? " <span class=\"tag\">private</span>" : string.Empty)}: {counts}</li>\n");
                }

                w.Write("</ul>\n");
            }
        }

        w.Write("</details></td></tr>\n");
    }

    /// <summary><c>3 packages</c> as <c>&lt;b&gt;3&lt;/b&gt; packages</c>.</summary>
    private static string Bold(string count)
    {
        int space = count.IndexOf(' ', StringComparison.Ordinal);
        return $"<b>{count[..space]}</b>{count[space..]}";
    }

    private static void WriteDiagnostic(TextWriter w, DistributionDiagnostic d)
    {
        var severity = AbiSeverities.Name(d.Severity);
        // Only web links: a custom rule's help URI could be any scheme (javascript: included).
        var id = d.Descriptor.HelpUri is { } help && (help.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || help.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ? $"<a class=\"id\" href=\"{Escape(help)}\"><code>{Escape(d.Id)}</code></a>"
            : $"<code>{Escape(d.Id)}</code>";
        w.Write($"<li class=\"{Verdicts.Name(d.Verdict)}\">{id} <span class=\"sev\">{severity}</span> {Escape(d.Message)}");
        if (d.Path is { } path)
        {
            w.Write($"<div class=\"where\">in <code>{Escape(path)}</code>{(d.Package is { } p ? $" of <code>{Escape(p)}</code>" : string.Empty)}</div>");
        }

        if (d.NeededBy is { Objects.Length: > 0 } chain)
        {
            w.Write($"<div class=\"chain\">NEEDED chain: {string.Join(" ← ", chain.Objects.Select(o => $"<code>{Escape(o)}</code>"))}</div>");
        }

        w.Write("</li>\n");
    }

    private const string Css = """
        :root { --bad: #b3261e; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4d6; --ok: #1e6b34; --ok-bg: #e7f5ea; --line: #d0d4da; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1f24; background: #fff; }
        header, main { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
        h1 { font-size: 1.5rem; margin: 1.25rem 0 .5rem; }
        h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
        h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
        code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
        .verdict { padding: .1rem .5rem; border-radius: .3rem; }
        .verdict.incompatible { background: var(--bad-bg); color: var(--bad); }
        .verdict.review { background: var(--warn-bg); color: var(--warn); }
        .verdict.compatible { background: var(--ok-bg); color: var(--ok); }
        .inputs { color: #4a525c; margin: .25rem 0; }
        ul.summary { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .75rem 0; }
        ul.summary li { border: 1px solid var(--line); border-radius: .4rem; padding: .4rem .8rem; }
        ul.summary li b { font-size: 1.2rem; }
        ul.summary .incompatible { border-color: var(--bad); background: var(--bad-bg); }
        ul.summary .review { border-color: var(--warn); background: var(--warn-bg); }
        ul.summary .compatible { border-color: var(--ok); background: var(--ok-bg); }
        ul.summary .unreadable { border-color: var(--bad); }
        .filter { position: sticky; top: 0; background: #fff; padding: .6rem 0; border-bottom: 1px solid var(--line); z-index: 1; }
        .filter input { font: inherit; width: 24rem; max-width: 60%; padding: .3rem .5rem; border: 1px solid #8c959f; border-radius: .3rem; }
        #shown { color: #4a525c; margin-left: .5rem; }
        section.incompatible h2 { color: var(--bad); }
        section.review h2 { color: var(--warn); }
        section.compatible h2 { color: var(--ok); }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
        th { background: #f3f5f7; position: relative; white-space: nowrap; }
        th[data-sort] { cursor: pointer; user-select: none; }
        th[data-sort]::after { content: " ↕"; color: #8c959f; }
        th[aria-sort="ascending"]::after { content: " ▲"; color: inherit; }
        th[aria-sort="descending"]::after { content: " ▼"; color: inherit; }
        td.num { text-align: right; }
        tr[hidden] { display: none; }
        details summary { cursor: pointer; color: #0b57d0; }
        details[open] summary { margin-bottom: .35rem; }
        ul.findings, ul.changes { margin: .25rem 0; padding-left: 1.1rem; }
        ul.findings li { margin: .3rem 0; }
        ul.findings li.incompatible { list-style: square; }
        li.incompatible .sev { color: var(--bad); font-weight: 600; }
        li.review .sev { color: var(--warn); font-weight: 600; }
        li.compatible .sev { color: var(--ok); }
        .where, .chain { color: #4a525c; font-size: .9em; }
        .chain code { background: #f3f5f7; padding: 0 .2rem; border-radius: .2rem; }
        .tag { display: inline-block; font-size: .8em; border: 1px solid var(--line); border-radius: .25rem; padding: 0 .3rem; color: #4a525c; }
        .label, .quiet, .none { color: #4a525c; }
        a.id { text-decoration: none; }
        """;

    // Filtering hides rows whose search key lacks the text; sorting reorders a table's rows by one column. Both work on
    // the rows already in the page: no markup is built from data, so nothing escaped is ever unescaped.
    private const string Script = """
        (function () {
          'use strict';
          var input = document.getElementById('filter');
          var shown = document.getElementById('shown');
          var rows = Array.prototype.slice.call(document.querySelectorAll('table.report tbody tr'));
          function apply() {
            var q = input.value.trim().toLowerCase();
            var visible = 0;
            rows.forEach(function (tr) {
              var hide = q !== '' && tr.getAttribute('data-search').indexOf(q) < 0;
              tr.hidden = hide;
              if (!hide) { visible++; }
            });
            document.querySelectorAll('main > section').forEach(function (section) {
              var count = section.querySelector('h2 .count');
              if (count) { count.textContent = section.querySelectorAll('tbody tr:not([hidden])').length; }
            });
            var noun = rows.length === 1 ? ' row' : ' rows';
            shown.textContent = q === '' ? rows.length + noun : visible + ' of ' + rows.length + noun;
            var hash = q === '' ? '' : '#filter=' + encodeURIComponent(q);
            if (location.hash !== hash) { try { history.replaceState(null, '', hash === '' ? location.pathname + location.search : hash); } catch (e) { /* a page opened from a file may not rewrite its address */ } }
          }
          function sortBy(th) {
            var table = th.closest('table');
            var index = Array.prototype.indexOf.call(th.parentNode.children, th);
            var numeric = th.getAttribute('data-sort') === 'number';
            var ascending = th.getAttribute('aria-sort') !== 'ascending';
            table.querySelectorAll('th[data-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
            th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
            var body = table.tBodies[0];
            var list = Array.prototype.slice.call(body.rows);
            list.sort(function (a, b) {
              var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
              var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, 'en');
              return ascending ? c : -c;
            });
            list.forEach(function (tr) { body.appendChild(tr); });
          }
          document.querySelectorAll('th[data-sort]').forEach(function (th) {
            th.tabIndex = 0;
            th.addEventListener('click', function () { sortBy(th); });
            th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); } });
          });
          input.addEventListener('input', apply);
          var m = /^#filter=(.*)$/.exec(location.hash);
          if (m) { try { input.value = decodeURIComponent(m[1]); } catch (e) { input.value = m[1]; } }
          apply();
        })();
        """;
}
