using Portier.Core.Model;

namespace Portier.Core.Tests.Model;

public sealed class SequentialIdsTests
{
    [Fact]
    public void IdsMadeInOneMillisecond_SortInTheOrderTheyWereMade_AsTextAndAsBytes()
    {
        // Far more ids than one millisecond's counter holds, so the run crosses into borrowed milliseconds.
        var ids = Enumerable.Range(0, 20_000).Select(_ => SequentialIds.Next()).ToList();

        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString("D").ToUpperInvariant(), ids[i].ToString("D").ToUpperInvariant()) < 0, $"text order broken at {i}");
            Assert.True(ids[i - 1].ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(ids[i].ToByteArray(bigEndian: true)) < 0, $"byte order broken at {i}");
        }
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0b10, id.Variant >> 2));
    }

    [Fact]
    public void AnId_CarriesTheTimeItWasMade()
    {
        var before = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var id = SequentialIds.Next();

        var bytes = id.ToByteArray(bigEndian: true);
        var millis = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        // Borrowed milliseconds from the other test may put it slightly ahead, never behind.
        Assert.InRange(millis, before, before + 1_000);
    }
}
