using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;

namespace Abi.Sdk.Abi;

/// <summary>
/// How bad a change is for programs linked against the old library, in the spirit of abidiff's exit bits:
/// <see cref="Compatible"/> and <see cref="NeedsReview"/> set the "ABI change" bit (4), <see cref="Incompatible"/>
/// also sets the "incompatible change" bit (8). <see cref="None"/> suppresses the diagnostic.
/// </summary>
public enum AbiSeverity
{
    /// <summary>Not reported (suppressed by configuration).</summary>
    None = 0,

    /// <summary>A change old programs do not notice (a symbol or version node added).</summary>
    Compatible = 1,

    /// <summary>A change that can break some programs or new links; a person should look (a default version changed).</summary>
    NeedsReview = 2,

    /// <summary>Programs linked against the old library fail to load or misbehave with the new one.</summary>
    Incompatible = 3,
}

/// <summary>What a diagnostic is about, for libabigail's <c>change_kind</c> and for reports.</summary>
public enum AbiChangeCategory
{
    /// <summary>Something the old library provided is gone.</summary>
    Removed,

    /// <summary>Something new is provided.</summary>
    Added,

    /// <summary>Something provided by both changed.</summary>
    Changed,
}

/// <summary>
/// Describes one kind of diagnostic, as Roslyn's DiagnosticDescriptor does: a stable ID (<c>ABI1001</c>), a title,
/// a composite message format, a default severity and a help page. Immutable.
/// </summary>
public sealed class AbiDiagnosticDescriptor : IEquatable<AbiDiagnosticDescriptor>
{
    /// <summary>Creates a descriptor.</summary>
    /// <param name="id">The stable ID, for example <c>ABI1001</c> or a user rule's <c>MYRULE001</c>.</param>
    /// <param name="title">A short title.</param>
    /// <param name="messageFormat">A composite format (<see cref="string.Format(IFormatProvider, string, object[])"/>) for the message.</param>
    /// <param name="category">What the change is about.</param>
    /// <param name="defaultSeverity">The severity unless configured otherwise.</param>
    /// <param name="helpUri">The help page, or <see langword="null"/>.</param>
    /// <param name="description">A longer description, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/>, <paramref name="title"/> or <paramref name="messageFormat"/> is empty.</exception>
    public AbiDiagnosticDescriptor(string id, string title, string messageFormat, AbiChangeCategory category, AbiSeverity defaultSeverity, string? helpUri = null, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageFormat);
        Id = id;
        Title = title;
        MessageFormat = messageFormat;
        Category = category;
        DefaultSeverity = defaultSeverity;
        HelpUri = helpUri;
        Description = description;
    }

    /// <summary>The stable ID.</summary>
    public string Id { get; }

    /// <summary>The title.</summary>
    public string Title { get; }

    /// <summary>The composite message format.</summary>
    public string MessageFormat { get; }

    /// <summary>What the change is about.</summary>
    public AbiChangeCategory Category { get; }

    /// <summary>The default severity.</summary>
    public AbiSeverity DefaultSeverity { get; }

    /// <summary>The help page.</summary>
    public string? HelpUri { get; }

    /// <summary>A longer description.</summary>
    public string? Description { get; }

    /// <inheritdoc/>
    public bool Equals(AbiDiagnosticDescriptor? other) => other is not null && Id == other.Id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AbiDiagnosticDescriptor);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);

    /// <inheritdoc/>
    public override string ToString() => $"{Id}: {Title}";
}

/// <summary>
/// One finding of a comparison: a descriptor, the effective severity, the formatted message and what it is about
/// (the old and new symbol, or a subject such as a version node or SONAME). Immutable.
/// </summary>
public sealed class AbiDiagnostic
{
    // null, the given message arguments (an object?[]), or a More once a subject, a cached message or a type change
    // is held: one field for what most diagnostics never have keeps the object at 56 bytes (a large diff makes tens
    // of thousands, one per removed or added symbol, whose arguments follow from their symbols).
    private object? _more;
    private readonly ArgumentShape _shape;

    private AbiDiagnostic(AbiDiagnosticDescriptor descriptor, AbiSeverity severity, AbiSymbol? oldSymbol, AbiSymbol? newSymbol, ArgumentShape shape, object? more)
    {
        Descriptor = descriptor;
        Severity = severity;
        OldSymbol = oldSymbol;
        NewSymbol = newSymbol;
        _shape = shape;
        _more = more;
    }

    /// <summary>
    /// Message arguments that follow from the symbols, so that a comparison reporting tens of thousands of removed and
    /// added symbols allocates no array for each: built when <see cref="MessageArguments"/> is first read.
    /// </summary>
    internal enum ArgumentShape : byte
    {
        /// <summary>The arguments given, in the array.</summary>
        Given,

        /// <summary>[old symbol].</summary>
        Old,

        /// <summary>[new symbol].</summary>
        New,

        /// <summary>[old symbol, its version, new symbol].</summary>
        OldVersionNew,
    }

    /// <summary>What a diagnostic holds besides its symbols, when it holds more than its given arguments.</summary>
    private sealed class More
    {
        public object?[]? Args; // the given arguments, or those of the shape once built
        public string? Subject; // the given subject
        public string? Message; // cached once formatted
        public AbiTypeChange? TypeChange;

        public More Copy() => (More)MemberwiseClone();
    }

    /// <summary>The descriptor.</summary>
    public AbiDiagnosticDescriptor Descriptor { get; }

    /// <summary>The descriptor's ID.</summary>
    public string Id => Descriptor.Id;

    /// <summary>The effective severity (the descriptor's default unless configured).</summary>
    public AbiSeverity Severity { get; }

    /// <summary>What it is about, spelled for people: a symbol (<c>bar@@FOO_1.0</c>), a version node, <c>SONAME</c>…</summary>
    /// <remarks>A symbol's spelling is cached by the symbol.</remarks>
    public string Subject => GivenSubject ?? (OldSymbol ?? NewSymbol)?.Spelling ?? string.Empty;

    /// <summary>The subject given when created; null when it is the symbol's spelling.</summary>
    internal string? GivenSubject => (_more as More)?.Subject;

    /// <summary>The old library's symbol the diagnostic is about, if any.</summary>
    public AbiSymbol? OldSymbol { get; }

    /// <summary>The new library's symbol the diagnostic is about, if any.</summary>
    public AbiSymbol? NewSymbol { get; }

    /// <summary>The symbol of either side (old first).</summary>
    public AbiSymbol? Symbol => OldSymbol ?? NewSymbol;

    /// <summary>The message, formatted from the descriptor with the invariant culture when read.</summary>
    /// <remarks>
    /// Given arguments: formatted once and cached. Arguments that follow from the symbols: formatted without an
    /// argument array each time it is read (reports read each message once; the symbols cache their spellings).
    /// </remarks>
    public string Message
    {
        get
        {
            if (_shape == ArgumentShape.Given || _more is More)
            {
                var more = Extra();
                return more.Message ??= string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat, more.Args ?? BuildArguments());
            }

            return _shape == ArgumentShape.OldVersionNew
                ? string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat, OldSymbol, OldSymbol!.Version, NewSymbol)
                : string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat, Argument(0));
        }
    }

    /// <summary>The arguments of the descriptor's message format.</summary>
    public IReadOnlyList<object?> MessageArguments => Arguments;

    private object?[] Arguments => GivenArguments ?? BuildArguments();

    // The given arguments, or those of the shape once built; null while they are not built.
    private object?[]? GivenArguments => _more switch
    {
        object?[] args => args,
        More more => more.Args,
        _ => null,
    };

    /// <summary>How many message arguments there are, without building their array.</summary>
    internal int ArgumentCount => _shape switch
    {
        ArgumentShape.Given => GivenArguments!.Length,
        ArgumentShape.OldVersionNew => 3,
        _ => 1,
    };

    /// <summary>Message argument <paramref name="index"/>, without building the array.</summary>
    internal object? Argument(int index)
    {
        if (_shape == ArgumentShape.Given)
        {
            return GivenArguments![index];
        }

        return (_shape, index) switch
        {
            (ArgumentShape.Old or ArgumentShape.OldVersionNew, 0) => OldSymbol,
            (ArgumentShape.New, 0) => NewSymbol,
            (ArgumentShape.OldVersionNew, 1) => OldSymbol!.Version,
            (ArgumentShape.OldVersionNew, 2) => NewSymbol,
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };
    }

    private object?[] BuildArguments()
    {
        var args = new object?[ArgumentCount];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = Argument(i);
        }

        // Two threads may build at once; both arrays are equal and one is kept.
        var more = Extra();
        return Interlocked.CompareExchange(ref more.Args, args, null) ?? args;
    }

    // The More of this diagnostic, made from what _more held when first needed. Two threads may make one at once;
    // one is kept, and both saw the same content.
    private More Extra()
    {
        while (true)
        {
            var current = Volatile.Read(ref _more);
            if (current is More more)
            {
                return more;
            }

            var made = new More { Args = current as object?[] };
            if (ReferenceEquals(Interlocked.CompareExchange(ref _more, made, current), current))
            {
                return made;
            }
        }
    }

    /// <summary>Creates a diagnostic with the descriptor's default severity.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="subject">What it is about; <see langword="null"/> for the spelling of the symbol (old first).</param>
    /// <param name="oldSymbol">The old symbol, if any.</param>
    /// <param name="newSymbol">The new symbol, if any.</param>
    /// <param name="messageArgs">The message format's arguments.</param>
    /// <returns>The diagnostic.</returns>
    /// <remarks>The message is formatted when first read, so that comparisons reporting tens of thousands of changes stay fast.</remarks>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is null and there is no symbol.</exception>
    public static AbiDiagnostic Create(AbiDiagnosticDescriptor descriptor, string? subject, AbiSymbol? oldSymbol, AbiSymbol? newSymbol, params object?[] messageArgs)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (subject is null && oldSymbol is null && newSymbol is null)
        {
            throw new ArgumentException("a diagnostic needs a subject or a symbol", nameof(subject));
        }

        var args = messageArgs ?? [];
        return new AbiDiagnostic(descriptor, descriptor.DefaultSeverity, oldSymbol, newSymbol, ArgumentShape.Given, subject is null ? args : new More { Args = args, Subject = subject });
    }

    /// <summary>A diagnostic about symbols whose message arguments are <paramref name="shape"/>, built when read; its subject is the symbol's spelling.</summary>
    internal static AbiDiagnostic Create(AbiDiagnosticDescriptor descriptor, AbiSymbol? oldSymbol, AbiSymbol? newSymbol, ArgumentShape shape)
    {
        Debug.Assert(shape switch
        {
            ArgumentShape.Old => oldSymbol is not null,
            ArgumentShape.New => newSymbol is not null,
            ArgumentShape.OldVersionNew => oldSymbol is not null && newSymbol is not null,
            _ => false,
        });
        return new AbiDiagnostic(descriptor, descriptor.DefaultSeverity, oldSymbol, newSymbol, shape, null);
    }

    /// <summary>A copy with another severity.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The copy.</returns>
    public AbiDiagnostic WithSeverity(AbiSeverity severity) => severity == Severity ? this : new(Descriptor, severity, OldSymbol, NewSymbol, _shape, CopyOfMore());

    /// <summary>Where a type-level (ABI2xxx) diagnostic sits in the walk from its symbol, for suppressions; otherwise null.</summary>
    internal AbiTypeChange? TypeChange => (_more as More)?.TypeChange;

    /// <summary>Forgets the walk once suppressions are decided: it holds both type graphs, which a diff must not keep alive.</summary>
    internal void DetachTypeChange()
    {
        if (_more is More more)
        {
            more.TypeChange = null;
        }
    }

    /// <summary>A copy that knows where it sits in the type walk (set once, by the type comparison).</summary>
    internal AbiDiagnostic WithTypeChange(AbiTypeChange change)
    {
        var more = CopyOfMore() as More ?? new More { Args = _more as object?[] };
        more.TypeChange = change;
        return new(Descriptor, Severity, OldSymbol, NewSymbol, _shape, more);
    }

    // A copy's own More (its type change is detached apart from this one's); the arguments array is shared, never written.
    private object? CopyOfMore() => _more is More more ? more.Copy() : _more;

    /// <summary>The diagnostic as one line: <c>ABI1001 incompatible: message</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{Id} {AbiSeverities.Name(Severity)}: {Message}";
}

/// <summary>Names of severities in reports and settings files.</summary>
public static class AbiSeverities
{
    /// <summary>The lower-case name used in reports and settings: none, compatible, needs-review, incompatible.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The name.</returns>
    public static string Name(AbiSeverity severity) => severity switch
    {
        AbiSeverity.None => "none",
        AbiSeverity.Compatible => "compatible",
        AbiSeverity.NeedsReview => "needs-review",
        _ => "incompatible",
    };

    /// <summary>Parses a severity name (case-insensitive; also <c>suppress</c>/<c>hidden</c> for none, <c>error</c>, <c>warning</c>, <c>note</c>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="severity">The severity.</param>
    /// <returns>False when the name is unknown.</returns>
    public static bool TryParse(string? text, out AbiSeverity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "none" or "suppress" or "suppressed" or "hidden" or "silent":
                severity = AbiSeverity.None;
                return true;
            case "compatible" or "note" or "info" or "suggestion":
                severity = AbiSeverity.Compatible;
                return true;
            case "needs-review" or "needsreview" or "review" or "warning":
                severity = AbiSeverity.NeedsReview;
                return true;
            case "incompatible" or "error":
                severity = AbiSeverity.Incompatible;
                return true;
            default:
                severity = AbiSeverity.None;
                return false;
        }
    }
}

/// <summary>The built-in diagnostics. IDs are stable; each has a help page under <c>docs/diagnostics/</c>.</summary>
public static class AbiDiagnosticIds
{
    private const string HelpBase = "https://github.com/abi-sdk/abi-sdk/blob/main/docs/diagnostics/";

    private static AbiDiagnosticDescriptor D(string id, string title, string format, AbiChangeCategory category, AbiSeverity severity, string description)
        => new(id, title, format, category, severity, HelpBase + id + ".md", description);

    /// <summary>ABI1001: an exported symbol is gone under every version.</summary>
    public static readonly AbiDiagnosticDescriptor SymbolRemoved = D("ABI1001", "Symbol removed",
        "Symbol '{0}' was removed", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "The old library exported the symbol and the new one exports no symbol of that name: programs that use it fail with 'undefined symbol: NAME'. abidiff leaves absolute data symbols (SHN_ABS) out of its lists; Abi.Sdk reports their removal too, since programs bind to them like any other.");

    /// <summary>ABI1002: a symbol's version is gone while another version of the same name remains (moved between nodes).</summary>
    public static readonly AbiDiagnosticDescriptor SymbolVersionRemoved = D("ABI1002", "Symbol version removed",
        "Symbol '{0}' is no longer provided at version {1}; the new library provides {2}",
        AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "The name is still exported, but not at the version old programs recorded: the symbol moved to another version node, and programs linked against the old library fail with 'undefined symbol: NAME, version VER'. abidiff reports this only as a removal.");

    /// <summary>ABI1003: a new exported symbol.</summary>
    public static readonly AbiDiagnosticDescriptor SymbolAdded = D("ABI1003", "Symbol added",
        "Symbol '{0}' was added", AbiChangeCategory.Added, AbiSeverity.Compatible,
        "The new library exports a symbol the old one did not.");

    /// <summary>ABI1004: a version node is no longer defined.</summary>
    public static readonly AbiDiagnosticDescriptor VersionNodeRemoved = D("ABI1004", "Version node removed",
        "Version node '{0}' was removed; programs that require it fail to load with 'version `{0}' not found'", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "The loader checks every version a program requires from the library before running it.");

    /// <summary>ABI1005: a new version node.</summary>
    public static readonly AbiDiagnosticDescriptor VersionNodeAdded = D("ABI1005", "Version node added",
        "Version node '{0}' was added", AbiChangeCategory.Added, AbiSeverity.Compatible,
        "The new library defines a version node the old one did not.");

    /// <summary>ABI1006: the default version of a name changed.</summary>
    public static readonly AbiDiagnosticDescriptor DefaultVersionChanged = D("ABI1006", "Default version changed",
        "The default version of '{0}' changed from {1} to {2}; old programs keep {1}, programs linked now get {2}", AbiChangeCategory.Changed, AbiSeverity.NeedsReview,
        "The symbol is still provided at its old version, but as a hidden (non-default) one; new links bind to another implementation.");

    /// <summary>ABI1007: a data symbol's size changed (copy relocations copy the old size).</summary>
    public static readonly AbiDiagnosticDescriptor ObjectSizeChanged = D("ABI1007", "Object size changed",
        "The size of data symbol '{0}' changed from {1} to {2} bytes; executables that copy-relocated it keep {1} bytes (abidiff does not compare sizes without debug info)", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Executables that reference library data get a copy relocation of the size recorded at link time.");

    /// <summary>ABI1008: a symbol's kind changed (function to data, data to TLS…).</summary>
    public static readonly AbiDiagnosticDescriptor SymbolKindChanged = D("ABI1008", "Symbol kind changed",
        "Symbol '{0}' changed from {1} to {2}; code built for one cannot use the other (abidiff lists a function that became data, or the reverse, as removed and added)", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Code compiled for a function cannot use data and the reverse; TLS is reached through other relocations. Function to IFUNC and back is compatible.");

    /// <summary>ABI1009: a symbol's binding changed.</summary>
    public static readonly AbiDiagnosticDescriptor BindingChanged = D("ABI1009", "Binding changed",
        "The binding of '{0}' changed from {1} to {2}", AbiChangeCategory.Changed, AbiSeverity.NeedsReview,
        "Weak, global and unique definitions bind alike for most programs, but interposition and unique-symbol semantics differ.");

    /// <summary>ABI1010: DT_SONAME changed.</summary>
    public static readonly AbiDiagnosticDescriptor SonameChanged = D("ABI1010", "SONAME changed",
        "SONAME changed from '{0}' to '{1}'; programs that need '{0}' do not load the new library", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Programs record the SONAME as DT_NEEDED; the loader looks for that name.");

    /// <summary>ABI1011: ELF class changed.</summary>
    public static readonly AbiDiagnosticDescriptor ElfClassChanged = D("ABI1011", "ELF class changed",
        "ELF class changed from {0} to {1}", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "A 32-bit program cannot load a 64-bit library or the reverse.");

    /// <summary>ABI1012: machine changed.</summary>
    public static readonly AbiDiagnosticDescriptor MachineChanged = D("ABI1012", "Machine changed",
        "Machine changed from {0} to {1}", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "A program cannot load a library built for another machine.");

    /// <summary>ABI1013: a DT_NEEDED entry was added.</summary>
    public static readonly AbiDiagnosticDescriptor NeededAdded = D("ABI1013", "Dependency added",
        "The library now needs '{0}', which every system that runs it must provide (abidiff does not compare DT_NEEDED)", AbiChangeCategory.Added, AbiSeverity.NeedsReview,
        "Every system that runs the new library must also provide this dependency.");

    /// <summary>ABI1014: a DT_NEEDED entry was removed.</summary>
    public static readonly AbiDiagnosticDescriptor NeededRemoved = D("ABI1014", "Dependency removed",
        "The library no longer needs '{0}'; programs that used its symbols without linking it themselves stop loading (abidiff does not compare DT_NEEDED)", AbiChangeCategory.Removed, AbiSeverity.NeedsReview,
        "Underlinked programs relied on the library to bring the dependency in.");

    /// <summary>ABI1015: a symbol's visibility changed between default and protected.</summary>
    public static readonly AbiDiagnosticDescriptor VisibilityChanged = D("ABI1015", "Visibility changed",
        "The visibility of '{0}' changed from {1} to {2}", AbiChangeCategory.Changed, AbiSeverity.NeedsReview,
        "A protected symbol is not interposed inside its library; protected data and copy relocations do not mix.");

    /// <summary>Every built-in descriptor, in ID order.</summary>
    public static ImmutableArray<AbiDiagnosticDescriptor> All { get; } =
    [
        SymbolRemoved, SymbolVersionRemoved, SymbolAdded, VersionNodeRemoved, VersionNodeAdded, DefaultVersionChanged,
        ObjectSizeChanged, SymbolKindChanged, BindingChanged, SonameChanged, ElfClassChanged, MachineChanged,
        NeededAdded, NeededRemoved, VisibilityChanged,
    ];
}
