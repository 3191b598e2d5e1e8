using System.Text;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// The process-wide intern table of short repeated header values (<see cref="RpmInternTable"/>): what comes out of it is
/// what <c>rpm -qp</c> prints, cold, warm and after collisions have evicted entries; it stays bounded.
/// </summary>
public class RpmInternTableTests
{
    [Fact]
    public void Dependencies_and_owners_read_cold_warm_and_after_evictions_are_what_rpm_prints()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var packages = RpmTestData.AllPackages(includeCorpus: true);
        const string format = "%{ARCH}|%{LICENSE}\n[%{REQUIRENEVRS}\n][%{PROVIDENEVRS}\n][%{FILEUSERNAME}:%{FILEGROUPNAME}\n]";
        var (accepted, expected) = RpmQueryDifferentialTests.RunRpm(rpm, ["-qp", "--qf", format], packages);
        string Ours()
        {
            var actual = new StringBuilder();
            foreach (var path in accepted)
            {
                var package = RpmPackage.Open(path);
                var h = package.Header;
                actual.Append(h.GetString(RpmTag.Arch) ?? "(none)").Append('|').Append(package.License ?? "(none)").Append('\n');
                foreach (var d in package.Requires.Concat(package.Provides))
                {
                    actual.Append(d).Append('\n');
                }

                foreach (var f in package.Files)
                {
                    actual.Append(h.Contains(RpmTag.FileUserName) ? f.UserName : "(none)").Append(':')
                        .Append(h.Contains(RpmTag.FileGroupName) ? f.GroupName : "(none)").Append('\n');
                }
            }

            return actual.ToString();
        }

        RpmInternTable.Clear();
        RpmQueryDifferentialTests.AssertSameLines(expected, Ours()); // cold: every value decoded and stored
        RpmQueryDifferentialTests.AssertSameLines(expected, Ours()); // warm: repeated values served from the table
        Flood();
        RpmQueryDifferentialTests.AssertSameLines(expected, Ours()); // after other values took the slots
    }

    [Fact]
    public void Colliding_values_each_read_back_as_their_own_text()
    {
        // Three times as many distinct values as slots: most slots are taken and retaken; each read must still be exact.
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 3 * RpmInternTable.Slots; i++)
            {
                var bytes = Encoding.ASCII.GetBytes($"lib{i}.so.{i % 7}()(64bit)");
                Assert.Equal(Encoding.ASCII.GetString(bytes), RpmInternTable.Ascii(bytes));
                var evr = Encoding.ASCII.GetBytes($"{i % 3}:{i}.{round}-{i % 11}");
                var parsed = RpmInternTable.Evr(evr);
                Assert.Equal(Encoding.ASCII.GetString(evr), parsed.ToString());
                Assert.Equal(Evr.Parse(Encoding.ASCII.GetString(evr)), parsed);
            }
        }

        // Longer values are decoded, never stored.
        var longValue = Encoding.ASCII.GetBytes(new string('x', RpmInternTable.MaxLength + 1));
        Assert.NotSame(RpmInternTable.Ascii(longValue), RpmInternTable.Ascii(longValue));
        // A repeated short value is one string (other tests decoding at the same time may, rarely, take its slot between two reads).
        var shortValue = Encoding.ASCII.GetBytes("libc.so.6(GLIBC_2.34)(64bit)");
        Assert.Contains(Enumerable.Range(0, 3), _ => ReferenceEquals(RpmInternTable.Ascii(shortValue), RpmInternTable.Ascii(shortValue)));
    }

    private static void Flood()
    {
        for (int i = 0; i < 2 * RpmInternTable.Slots; i++)
        {
            RpmInternTable.Ascii(Encoding.ASCII.GetBytes($"flood-{i}"));
            RpmInternTable.Evr(Encoding.ASCII.GetBytes($"{i}-1"));
        }
    }
}
