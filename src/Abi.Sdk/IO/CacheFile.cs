namespace Abi.Sdk.IO;

/// <summary>
/// A cache's files: written so that a reader sees the old file or the whole new one, never a part, and read whole,
/// never through a link.
/// </summary>
internal static class CacheFile
{
    /// <summary>What <see cref="TryReadAll"/> found.</summary>
    public enum Found
    {
        /// <summary>The entry's bytes were read.</summary>
        Read,

        /// <summary>No entry by that name (or no cache folder any more): a miss.</summary>
        Missing,

        /// <summary>Something is there that no cache wrote: a link, a FIFO, an unreadable or oversized file.</summary>
        Refused,
    }

    /// <summary>Reads the whole regular file at <paramref name="path"/>, refusing links and anything over <paramref name="maxSize"/> bytes.</summary>
    public static Found TryReadAll(string path, long maxSize, out byte[] bytes)
    {
        bytes = [];
        try
        {
            using var stream = RegularFile.OpenReadNoFollow(path, 1);
            if (stream.Length is < 0 || stream.Length > maxSize)
            {
                return Found.Refused;
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return Found.Read;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Found.Missing;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Found.Refused; // a link, a FIFO, unreadable
        }
    }

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
