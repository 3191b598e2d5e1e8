using System.Collections.Immutable;

namespace Abi.Sdk.Rpm;

/// <summary>The file attributes rpm records (<c>RPMFILE_*</c>): what <c>%config</c>, <c>%doc</c>, <c>%ghost</c>… set.</summary>
[Flags]
public enum RpmFileFlags : uint
{
    /// <summary>No attribute.</summary>
    None = 0,

    /// <summary><c>%config</c>.</summary>
    Config = 1 << 0,

    /// <summary><c>%doc</c>.</summary>
    Doc = 1 << 1,

    /// <summary><c>RPMFILE_ICON</c> (unused).</summary>
    Icon = 1 << 2,

    /// <summary><c>%config(missingok)</c>.</summary>
    MissingOk = 1 << 3,

    /// <summary><c>%config(noreplace)</c>.</summary>
    NoReplace = 1 << 4,

    /// <summary>The spec file of a source package.</summary>
    SpecFile = 1 << 5,

    /// <summary><c>%ghost</c>: owned but not in the payload.</summary>
    Ghost = 1 << 6,

    /// <summary><c>%license</c>.</summary>
    License = 1 << 7,

    /// <summary><c>%readme</c>.</summary>
    Readme = 1 << 8,

    /// <summary><c>RPMFILE_PUBKEY</c>.</summary>
    PubKey = 1 << 11,

    /// <summary><c>%artifact</c>.</summary>
    Artifact = 1 << 12,
}

/// <summary>The hash algorithm of file digests (OpenPGP hash algorithm numbers, as rpm's FILEDIGESTALGO stores them).</summary>
public enum RpmDigestAlgorithm
{
    /// <summary>No digest.</summary>
    None = 0,

    /// <summary>MD5 (the default when FILEDIGESTALGO is absent).</summary>
    Md5 = 1,

    /// <summary>SHA-1.</summary>
    Sha1 = 2,

    /// <summary>RIPEMD-160.</summary>
    RipeMd160 = 3,

    /// <summary>SHA-256.</summary>
    Sha256 = 8,

    /// <summary>SHA-384.</summary>
    Sha384 = 9,

    /// <summary>SHA-512.</summary>
    Sha512 = 10,

    /// <summary>SHA-224.</summary>
    Sha224 = 11,

    /// <summary>SHA3-256.</summary>
    Sha3_256 = 12,

    /// <summary>SHA3-512.</summary>
    Sha3_512 = 14,
}

/// <summary>One file of a package as its header describes it. Immutable and thread-safe.</summary>
public sealed class RpmFile
{
    // Set once by RpmFileList while it builds the list (one pass per header column), never after: the public
    // surface is read-only.
    internal RpmFile(int index, string path)
    {
        Index = index;
        Path = path;
        Dependencies = ImmutableArray<RpmDependency>.Empty;
    }

    /// <summary>A file with every attribute given (tests and samples).</summary>
    internal RpmFile(int index, string path, long size, uint mode, RpmFileFlags flags, string? digest, RpmDigestAlgorithm digestAlgorithm,
        string? linkTarget, string? userName, string? groupName, long modificationTime, uint rdev, uint device, uint inode,
        string? language, string? fileClass, uint color, string? capabilities, uint verifyFlags, ImmutableArray<RpmDependency> dependencies)
        : this(index, path)
    {
        Size = size;
        Mode = mode;
        Flags = flags;
        Digest = digest;
        DigestAlgorithm = digestAlgorithm;
        LinkTarget = linkTarget;
        UserName = userName;
        GroupName = groupName;
        ModificationTime = modificationTime;
        Rdev = rdev;
        Device = device;
        Inode = inode;
        Language = language;
        Class = fileClass;
        Color = color;
        Capabilities = capabilities;
        VerifyFlags = verifyFlags;
        Dependencies = dependencies;
    }

    /// <summary>The index of the file in the header's file arrays (also the index a stripped cpio entry names).</summary>
    public int Index { get; }

    /// <summary>The path as <c>rpm -qlp</c> prints it, decoded as <see cref="RpmHeader.DecodeString"/> decodes header strings.</summary>
    public string Path { get; }

    /// <summary>
    /// The path's bytes as the header stores them and <c>rpm -qlp</c> prints them (they may not be UTF-8): the
    /// directory name followed by the base name. A fresh array per call.
    /// </summary>
    public ReadOnlyMemory<byte> PathBytes
    {
        get
        {
            if (DirectoryBytes.IsEmpty)
            {
                return BaseNameBytes;
            }

            var result = new byte[DirectoryBytes.Length + BaseNameBytes.Length];
            DirectoryBytes.CopyTo(result);
            BaseNameBytes.CopyTo(result.AsMemory(DirectoryBytes.Length));
            return result;
        }
    }

    /// <summary>The directory name's bytes (a slice of the header); empty for packages with OLDFILENAMES.</summary>
    // The directory and base name as positions in the header's bytes (rpm prints them raw): 20 bytes instead of two
    // ReadOnlyMemory<byte>, sliced only when PathBytes is read.
    private byte[]? _blob;
    private int _dirStart, _dirLength, _baseStart, _baseLength;

    internal ReadOnlyMemory<byte> DirectoryBytes => _blob is null ? default : new ReadOnlyMemory<byte>(_blob, _dirStart, _dirLength);

    internal ReadOnlyMemory<byte> BaseNameBytes => _blob is null ? default : new ReadOnlyMemory<byte>(_blob, _baseStart, _baseLength);

    /// <summary>Where the path's bytes are in the header: the directory (length 0 for OLDFILENAMES) and the base name.</summary>
    internal void SetPathBytes(byte[] blob, int dirStart, int dirLength, int baseStart, int baseLength)
    {
        _blob = blob;
        _dirStart = dirStart;
        _dirLength = dirLength;
        _baseStart = baseStart;
        _baseLength = baseLength;
    }

    /// <summary>The size in bytes (LONGFILESIZES when present, else FILESIZES).</summary>
    public long Size { get; internal set; }

    /// <summary>The <c>st_mode</c>: file type and permission bits.</summary>
    public uint Mode { get; internal set; }

    /// <summary>The permission bits (including setuid/setgid/sticky).</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xfff);

    /// <summary>Whether this is a regular file.</summary>
    public bool IsRegularFile => (Mode & 0xf000) == 0x8000;

    /// <summary>Whether this is a directory.</summary>
    public bool IsDirectory => (Mode & 0xf000) == 0x4000;

    /// <summary>Whether this is a symbolic link.</summary>
    public bool IsSymbolicLink => (Mode & 0xf000) == 0xa000;

    /// <summary>The <c>%config</c>/<c>%doc</c>/<c>%ghost</c>… attributes.</summary>
    public RpmFileFlags Flags { get; internal set; }

    /// <summary>Whether the file is a <c>%ghost</c> (not in the payload).</summary>
    public bool IsGhost => (Flags & RpmFileFlags.Ghost) != 0;

    /// <summary>The content digest in hex, or <see langword="null"/> (directories, links, ghosts).</summary>
    public string? Digest { get; internal set; }

    /// <summary>The algorithm of <see cref="Digest"/>.</summary>
    public RpmDigestAlgorithm DigestAlgorithm { get; internal set; }

    /// <summary>The target of a symbolic link, or <see langword="null"/>.</summary>
    public string? LinkTarget { get; internal set; }

    /// <summary>The owning user name.</summary>
    public string? UserName { get; internal set; }

    /// <summary>The owning group name.</summary>
    public string? GroupName { get; internal set; }

    /// <summary>The modification time, seconds since the epoch.</summary>
    public long ModificationTime { get; internal set; }

    /// <summary>The device number of a device file.</summary>
    public uint Rdev { get; internal set; }

    /// <summary>The (build-time) device number, used with <see cref="Inode"/> to group hard links.</summary>
    public uint Device { get; internal set; }

    /// <summary>The (build-time) inode number, used with <see cref="Device"/> to group hard links.</summary>
    public uint Inode { get; internal set; }

    /// <summary>The <c>%lang</c> of the file, or <see langword="null"/>.</summary>
    public string? Language { get; internal set; }

    /// <summary>The file class as rpm reports it: what <c>file(1)</c> said at build time (<c>ELF 64-bit LSB shared object…</c>), else <c>directory</c> or <c>symbolic link to `target'</c>; <see langword="null"/> when unknown.</summary>
    public string? Class { get; internal set; }

    /// <summary>The file color: 1 for ELF32, 2 for ELF64, 4 for MIPS N32, 0 otherwise.</summary>
    public uint Color { get; internal set; }

    /// <summary>The file capabilities in <c>cap_to_text</c> form, or <see langword="null"/>.</summary>
    public string? Capabilities { get; internal set; }

    /// <summary>The <c>%verify</c> flags.</summary>
    public uint VerifyFlags { get; internal set; }

    /// <summary>The per-file provides and requires the dependency generator recorded (FILEDEPENDSX/N into DEPENDSDICT).</summary>
    public ImmutableArray<RpmDependency> Dependencies { get; internal set; }

    /// <summary>The path.</summary>
    /// <returns>The path.</returns>
    public override string ToString() => Path;
}
