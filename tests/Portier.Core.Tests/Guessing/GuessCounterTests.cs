using NodaTime;
using Portier.Core.Guessing;

namespace Portier.Core.Tests.Guessing;

public sealed class GuessCounterTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly GuessLimit Limit = new(5, Duration.FromSeconds(30), Duration.FromMinutes(15), Duration.FromMinutes(15));

    private static GuessCounter Fail(GuessCounter counter, Instant at, int times)
    {
        for (var i = 0; i < times; i++) counter = counter.Failed(at, Limit);
        return counter;
    }

    [Fact]
    public void Failed_TheFailureThatReachesTheLimit_LocksForTheFirstLock_AndStartsTheCountOver()
    {
        var four = Fail(GuessCounter.None, T0, 4);
        Assert.False(four.IsLocked(T0));
        Assert.Equal(4, four.Failures);

        var locked = four.Failed(T0, Limit);
        Assert.True(locked.IsLocked(T0 + Duration.FromSeconds(29)));
        Assert.False(locked.IsLocked(T0 + Duration.FromSeconds(30)));
        Assert.Equal((0, 1), (locked.Failures, locked.Locks));
    }

    [Fact]
    public void Failed_EachFurtherLock_DoublesUpToTheMaximum()
    {
        var counter = GuessCounter.None;
        var at = T0;
        var lengths = new List<double>();
        for (var lockNumber = 0; lockNumber < 8; lockNumber++)
        {
            counter = Fail(counter, at, 5);
            lengths.Add((counter.LockedUntil!.Value - at).TotalSeconds);
            at = counter.LockedUntil!.Value;
        }
        Assert.Equal([30, 60, 120, 240, 480, 900, 900, 900], lengths);
    }

    [Fact]
    public void Settled_AfterAQuietForgetAfter_CountedFromTheEndOfTheLock_StartsOver()
    {
        var locked = Fail(GuessCounter.None, T0, 5);
        var lockEnd = locked.LockedUntil!.Value;
        Assert.Equal(locked, locked.Settled(lockEnd + Duration.FromMinutes(15) - Duration.FromMilliseconds(1), Limit));
        Assert.Equal(GuessCounter.None, locked.Settled(lockEnd + Duration.FromMinutes(15), Limit));

        var two = Fail(GuessCounter.None, T0, 2);
        Assert.Equal(1, two.Failed(T0 + Duration.FromMinutes(15), Limit).Failures);
        Assert.True(two.IsForgotten(T0 + Duration.FromMinutes(15), Limit));
    }

    [Fact]
    public void Seen_ABurstRaisesOnce_AndANewBurstAfterAQuietWindowRaisesAgain()
    {
        var window = Duration.FromSeconds(60);
        var burst = new BurstWatch();
        var raised = new List<int>();
        // One bad attempt a second for five minutes: one burst.
        for (var second = 0; second < 300; second++)
        {
            (burst, var raise) = burst.Seen(T0 + Duration.FromSeconds(second), 10, window);
            if (raise) raised.Add(second);
        }
        Assert.Equal([9], raised);
        Assert.False(burst.HasEnded(T0 + Duration.FromSeconds(358), window));
        Assert.True(burst.HasEnded(T0 + Duration.FromSeconds(359), window));

        (burst, _) = burst.Seen(T0 + Duration.FromSeconds(400), 10, window);
        Assert.Equal(1, burst.Attempts);
        Assert.False(burst.Alarmed);
    }

    [Fact]
    public void Seen_SlowTrickle_NeverRaises()
    {
        var burst = new BurstWatch();
        var raises = 0;
        // One bad attempt every seven seconds: never ten within a minute.
        for (var i = 0; i < 100; i++)
        {
            (burst, var raise) = burst.Seen(T0 + Duration.FromSeconds(7 * i), 10, Duration.FromSeconds(60));
            if (raise) raises++;
        }
        Assert.Equal(0, raises);
    }
}
