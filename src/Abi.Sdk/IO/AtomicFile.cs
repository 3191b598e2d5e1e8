namespace Abi.Sdk.IO;

/// <summary>Writes a cache's files so that a reader sees the old file or the whole new one, never a part.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> under a fresh temporary name in <paramref name="directory"/>, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string directory, string path, ReadOnlySpan<byte> bytes)
    {
        // O_CREAT|O_EXCL: a name planted in advance (a link included) is never opened; rename(2) then replaces the
        // final name whatever it was, so a reader sees the old file or the whole new one.
        var temp = Path.Combine(directory, $".tmp-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort; a leftover temporary name is never read as an entry
            }

            throw;
        }
    }
}
