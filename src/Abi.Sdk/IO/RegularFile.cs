using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Abi.Sdk.IO;

/// <summary>
/// Opens input files for reading only when they are regular files. Opening a FIFO for reading blocks until a writer
/// comes (forever, for a FIFO planted where a library is expected), and a device never ends; so the file is opened
/// with <c>O_NONBLOCK</c> and its type checked on the opened descriptor (<c>fstat</c>, through <c>statx</c>), which a
/// swap between a check and the open cannot fool.
/// </summary>
internal static partial class RegularFile
{
    private const int ORdOnly = 0, ONonBlock = 0x800, OCloExec = 0x80000; // Linux's values on every architecture .NET runs on
    // O_NOFOLLOW is the one flag here whose value differs: 0x8000 on ARM, 0x20000 on x86 (and the generic value).
    private static readonly int NoFollowFlag = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;
    private const int AtEmptyPath = 0x1000, AtSymlinkNoFollow = 0x100, AtFdCwd = -100, StatxType = 0x1, StatxSize = 0x200;
    private const int SIfMt = 0xF000, SIfReg = 0x8000, SIfDir = 0x4000, SIfIfo = 0x1000, SIfChr = 0x2000, SIfBlk = 0x6000, SIfSock = 0xC000;

    /// <summary>Opens <paramref name="path"/> (following symbolic links) for reading.</summary>
    /// <exception cref="IOException">The file is missing, unreadable, or not a regular file (the message says what it is).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission is denied.</exception>
    public static FileStream OpenRead(string path, int bufferSize = 4096) => OpenRead(path, bufferSize, followLinks: true);

    /// <summary>
    /// Opens <paramref name="path"/> for reading with <c>O_NOFOLLOW</c>: a symbolic link in its last component is
    /// refused (an <see cref="IOException"/>) instead of followed, for files of a folder someone else may write into.
    /// </summary>
    /// <exception cref="IOException">The file is missing, a symbolic link, unreadable, or not a regular file.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission is denied.</exception>
    public static FileStream OpenReadNoFollow(string path, int bufferSize = 4096) => OpenRead(path, bufferSize, followLinks: false);

    /// <summary>
    /// Linux: opens <paramref name="path"/> (following symbolic links) for reading as <see cref="OpenRead(string, int)"/>
    /// does, and returns the descriptor with the file's size, read by the same <c>statx</c> that checks its type: what
    /// a caller that maps the file needs, in two system calls.
    /// </summary>
    /// <exception cref="IOException">The file is missing, unreadable, or not a regular file.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission is denied.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static SafeFileHandle OpenHandle(string path, out long length)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("RegularFile.OpenHandle is Linux only");
        }

        return OpenChecked(path, followLinks: true, out length);
    }

    private static FileStream OpenRead(string path, int bufferSize, bool followLinks)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            if (!followLinks && new FileInfo(path).LinkTarget is not null)
            {
                throw new IOException($"{path}: is a symbolic link; it is not followed");
            }

            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize);
            return stream;
        }

        var handle = OpenChecked(path, followLinks, out _);
        try
        {
            return new FileStream(handle, FileAccess.Read, bufferSize);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenChecked(string path, bool followLinks, out long length)
    {
        int fd = Open(path, ORdOnly | ONonBlock | OCloExec | (followLinks ? 0 : NoFollowFlag));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            var message = $"{path}: {Marshal.GetPInvokeErrorMessage(errno)}";
            throw errno switch
            {
                2 or 20 => new FileNotFoundException(message, path), // ENOENT, ENOTDIR
                13 or 1 => new UnauthorizedAccessException(message), // EACCES, EPERM
                40 => new IOException($"{path}: is a symbolic link; it is not followed"), // ELOOP, what O_NOFOLLOW answers
                _ => new IOException(message),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            int mode = FileType(handle, path, out length);
            if (mode != SIfReg)
            {
                throw new NotRegularFileException($"{path}: not a regular file ({Describe(mode)}); only regular files are read", Describe(mode), mode == SIfIfo);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static unsafe int FileType(SafeFileHandle handle, string path, out long length)
    {
        // struct statx has one layout on every architecture: stx_mode is the 16-bit field at offset 28, stx_size the
        // 64-bit field at offset 40.
        byte* buffer = stackalloc byte[256];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxType | StatxSize, buffer) != 0)
            {
                throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        length = *(long*)(buffer + 40);
        return *(ushort*)(buffer + 28) & SIfMt;
    }

    /// <summary>
    /// Linux: what a path names, its last component not followed (lstat): the <c>S_IFMT</c> bits of its mode, or -1
    /// when it cannot be examined (missing, a component not a folder, permission denied). One system call.
    /// </summary>
    public static unsafe int LinkStatType(string path)
    {
        byte* buffer = stackalloc byte[256];
        return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0 ? -1 : *(ushort*)(buffer + 28) & SIfMt;
    }

    /// <summary>Linux: the target of the symbolic link at <paramref name="path"/>, or null when it cannot be read.</summary>
    public static unsafe string? ReadLinkTarget(string path)
    {
        const int Size = 4096; // PATH_MAX: readlink never returns more
        byte* buffer = stackalloc byte[Size];
        nint n = ReadLink(path, buffer, Size);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)n);
    }

    /// <summary>S_IFLNK and S_IFDIR, for <see cref="LinkStatType"/>.</summary>
    public const int LinkType = 0xA000, DirectoryType = SIfDir;

    private static string Describe(int mode) => mode switch
    {
        SIfDir => "a directory",
        SIfIfo => "a FIFO",
        SIfChr => "a character device",
        SIfBlk => "a block device",
        SIfSock => "a socket",
        _ => "not a regular file",
    };

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint ReadLink(string path, byte* buffer, nint size);
}

/// <summary>The file opened is not a regular file: a FIFO, a device, a socket (a directory is opened too, but not read).</summary>
/// <param name="message">The message, naming the file.</param>
/// <param name="what">What it is: <c>a FIFO</c>, <c>a character device</c>, …</param>
/// <param name="isFifo">True for a FIFO, whose open(2) without O_NONBLOCK would block until a writer comes.</param>
internal sealed class NotRegularFileException(string message, string what, bool isFifo) : IOException(message)
{
    /// <summary>What the file is: <c>a FIFO</c>, <c>a character device</c>, …</summary>
    public string What { get; } = what;

    /// <summary>True for a FIFO.</summary>
    public bool IsFifo { get; } = isFifo;
}
