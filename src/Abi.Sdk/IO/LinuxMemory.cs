using System.Runtime.InteropServices;

namespace Abi.Sdk.IO;

/// <summary>
/// The memory calls of Linux's libc that the readers and the tool make (mapping files and anonymous memory, advice on
/// pages), declared once. The tool compiles this file in as well, for its advice on the collected heap.
/// </summary>
internal static partial class LinuxMemory
{
    public const int ProtRead = 1, ProtReadWrite = 3;
    public const int MapPrivate = 2, MapPrivateAnonymous = 0x22;
    public const int MadviseDontNeed = 4, MadviseHugePage = 14;

    /// <summary>mmap(2); -1 on failure, with errno kept for <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    /// <summary>munmap(2).</summary>
    [LibraryImport("libc", EntryPoint = "munmap")]
    public static partial int Munmap(nint address, nuint length);

    /// <summary>madvise(2): a hint; when it fails the pages stay as they are.</summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Madvise(nint address, nuint length, int advice);
}
