using NodaTime;
using Portier.Core.Doors;

namespace Portier.Core.Tests.Doors;

public class DoorSupervisorTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 6, 1, 12, 0);
    private static readonly Duration Hold = Duration.FromSeconds(10);
    private static readonly Duration OpenTime = Duration.FromSeconds(40);

    [Fact]
    public void Opened_WithoutUnlockOrExitRequest_RaisesForcedOpenOnce()
    {
        var (watch, changes) = DoorSupervisor.Opened(DoorWatch.Closed, T0, requestToExit: false);
        Assert.Equal([new AlarmChange(DoorAlarm.ForcedOpen, true, T0)], changes);
        var (_, again) = DoorSupervisor.Opened(watch, T0 + Duration.FromSeconds(1), requestToExit: false);
        Assert.Empty(again);
    }

    [Fact]
    public void Opened_WithinHoldTimeOfAnUnlock_IsLegitimate()
    {
        var unlocked = DoorSupervisor.Unlocked(DoorWatch.Closed, T0, Hold);
        Assert.Empty(DoorSupervisor.Opened(unlocked, T0 + Duration.FromSeconds(9), false).Changes);
        Assert.NotEmpty(DoorSupervisor.Opened(unlocked, T0 + Duration.FromSeconds(11), false).Changes);
    }

    [Fact]
    public void Opened_ByRequestToExitOrWhileLatched_IsLegitimate()
    {
        Assert.Empty(DoorSupervisor.Opened(DoorWatch.Closed, T0, requestToExit: true).Changes);
        Assert.Empty(DoorSupervisor.Opened(DoorSupervisor.SetLatched(DoorWatch.Closed, true), T0, false).Changes);
    }

    [Fact]
    public void Tick_DoorLeftOpen_WarnsThenRaisesHeldOpenOnce_AndClosingClearsBoth()
    {
        var (watch, _) = DoorSupervisor.Opened(DoorSupervisor.Unlocked(DoorWatch.Closed, T0, Hold), T0, false);
        var (w1, c1) = DoorSupervisor.Tick(watch, T0 + Duration.FromSeconds(29), OpenTime);
        Assert.Empty(c1);
        var (w2, c2) = DoorSupervisor.Tick(w1, T0 + Duration.FromSeconds(30), OpenTime);
        Assert.Equal([new AlarmChange(DoorAlarm.HeldOpenWarning, true, T0 + Duration.FromSeconds(30))], c2);
        var (w3, c3) = DoorSupervisor.Tick(w2, T0 + Duration.FromSeconds(41), OpenTime);
        Assert.Equal([new AlarmChange(DoorAlarm.HeldOpen, true, T0 + Duration.FromSeconds(41))], c3);
        Assert.Empty(DoorSupervisor.Tick(w3, T0 + Duration.FromSeconds(60), OpenTime).Changes);

        var closedAt = T0 + Duration.FromSeconds(70);
        var (closed, cleared) = DoorSupervisor.Closed(w3, closedAt);
        Assert.Equal([new AlarmChange(DoorAlarm.HeldOpenWarning, false, closedAt), new AlarmChange(DoorAlarm.HeldOpen, false, closedAt)], cleared);
        Assert.Empty(DoorSupervisor.Closed(closed, closedAt).Changes);
    }

    [Fact]
    public void Tick_LatchedDoor_NeverRaisesHeldOpen()
    {
        var (watch, _) = DoorSupervisor.Opened(DoorSupervisor.SetLatched(DoorWatch.Closed, true), T0, false);
        Assert.Empty(DoorSupervisor.Tick(watch, T0 + Duration.FromHours(3), OpenTime).Changes);
    }
}
