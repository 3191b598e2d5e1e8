using System.Runtime.InteropServices;

namespace Abi.Sdk.Rpm;

/// <summary>
/// The Linux calls safe extraction needs: everything relative to an open directory (the <c>*at</c> family), with
/// <c>O_NOFOLLOW</c>, and metadata applied through descriptors, so no string path is ever resolved through a link.
/// </summary>
internal static partial class LinuxFileSystem
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int ELOOP = 40;

    public const int AtRemoveDir = 0x200;

    private const int OWriteOnly = 0x1;
    private const int OCreate = 0x40;
    private const int OExclusive = 0x80;
    private const int OCloseOnExec = 0x80000;
    private const int OPath = 0x200000;

    // O_DIRECTORY and O_NOFOLLOW are the two flags whose values differ between Linux architectures (arm, arm64 and
    // powerpc use 040000/0100000, the generic ABI 0200000/0400000).
    private static readonly bool ArmLikeFlags = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;
    private static readonly int ODirectory = ArmLikeFlags ? 0x4000 : 0x10000;
    private static readonly int ONoFollow = ArmLikeFlags ? 0x8000 : 0x20000;

    /// <summary>Flags to open a directory only to walk through it: never a link, no read permission needed.</summary>
    public static int WalkFlags => OPath | ODirectory | ONoFollow | OCloseOnExec;

    /// <summary>Flags to open the extraction target itself, which the caller may reach through links.</summary>
    public static int RootFlags => OPath | ODirectory | OCloseOnExec;

    /// <summary>Flags to open a directory to change its mode and times (<c>fchmod</c> refuses <c>O_PATH</c> descriptors).</summary>
    public static int DirectoryMetadataFlags => ODirectory | ONoFollow | OCloseOnExec;

    /// <summary>Flags to create a new regular file: fails if anything, a link included, has the name.</summary>
    public static int CreateFlags => OWriteOnly | OCreate | OExclusive | ONoFollow | OCloseOnExec;

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Whether <paramref name="name"/> in <paramref name="directory"/> is a symbolic link (read without following it).</summary>
    public static unsafe bool IsSymbolicLink(int directory, string name)
    {
        byte b;
        return readlinkat(directory, name, &b, 1) >= 0;
    }

    public static unsafe int SetTimes(int fd, long seconds)
    {
        // Access time and modification time both set to the entry's mtime, as cpio -m does.
        var times = stackalloc Timespec[2];
        times[0] = new Timespec { Seconds = (nint)seconds, Nanoseconds = 0 };
        times[1] = times[0];
        return futimens(fd, times);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int OpenAt(int directory, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MakeDirectoryAt(int directory, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int UnlinkAt(int directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "symlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SymbolicLinkAt(string target, int directory, string name);

    /// <summary><c>linkat</c> without <c>AT_SYMLINK_FOLLOW</c>: a link at the old name is linked itself, never followed.</summary>
    [LibraryImport("libc", EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LinkAt(int oldDirectory, string oldName, int newDirectory, string newName, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int ChangeMode(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint readlinkat(int directory, string name, byte* buffer, nuint size);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int futimens(int fd, Timespec* times);
}
