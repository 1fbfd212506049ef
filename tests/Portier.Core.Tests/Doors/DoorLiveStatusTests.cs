using Portier.Core.Doors;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Core.Tests.Doors;

public class DoorLiveStatusTests
{
    private static readonly DoorLiveFacts Quiet = new(ControllerLink.Online, Open: false, Latched: false, StandingAlarms: []);

    [Fact]
    public void Of_OnlineClosedNotLatched_IsLocked()
    {
        Assert.Equal(new DoorLiveStatus(DoorLiveState.Locked, DoorLiveSeverity.Normal, "locked"), DoorLiveStatus.Of(Quiet));
    }

    [Fact]
    public void Of_Latched_IsUnlocked_AndOpenWinsOverLatched()
    {
        Assert.Equal(DoorLiveState.Unlocked, DoorLiveStatus.Of(Quiet with { Latched = true }).State);
        Assert.Equal(DoorLiveState.Open, DoorLiveStatus.Of(Quiet with { Latched = true, Open = true }).State);
    }

    [Fact]
    public void Of_ForcedOpen_IsAnAlarm_WhateverElseHolds()
    {
        var status = DoorLiveStatus.Of(new DoorLiveFacts(ControllerLink.Offline, true, true, [DoorAlarm.HeldOpen, DoorAlarm.ForcedOpen],
            MaintenanceMode.ForceClosed, true, DoorOverrideMode.Unlock, LockdownKind.Lockdown));
        Assert.Equal(new DoorLiveStatus(DoorLiveState.ForcedOpen, DoorLiveSeverity.Alarm, "forced open"), status);
    }

    [Fact]
    public void Of_HeldOpen_AlarmOutranksItsWarning()
    {
        Assert.Equal((DoorLiveState.HeldOpen, DoorLiveSeverity.Alarm),
            Pair(DoorLiveStatus.Of(Quiet with { Open = true, StandingAlarms = [DoorAlarm.HeldOpenWarning, DoorAlarm.HeldOpen] })));
        Assert.Equal((DoorLiveState.HeldOpen, DoorLiveSeverity.Warning),
            Pair(DoorLiveStatus.Of(Quiet with { Open = true, StandingAlarms = [DoorAlarm.HeldOpenWarning] })));
    }

    [Fact]
    public void Of_OfflineController_OutranksPlansAndSettings_ButNotAlarms()
    {
        var offline = Quiet with { Controller = ControllerLink.Offline, Plan = LockdownKind.Lockdown, Maintenance = MaintenanceMode.ForceOpen };
        Assert.Equal((DoorLiveState.Offline, DoorLiveSeverity.Warning), Pair(DoorLiveStatus.Of(offline)));
        Assert.Equal(DoorLiveState.HeldOpen, DoorLiveStatus.Of(offline with { StandingAlarms = [DoorAlarm.HeldOpenWarning] }).State);
    }

    [Theory]
    [InlineData(LockdownKind.Lockdown, DoorLiveState.Lockdown, DoorLiveSeverity.Alarm)]
    [InlineData(LockdownKind.Evacuation, DoorLiveState.Evacuation, DoorLiveSeverity.Warning)]
    public void Of_ActivePlan_OutranksOverrideAndMaintenance(LockdownKind plan, DoorLiveState state, DoorLiveSeverity severity)
    {
        var facts = Quiet with { Plan = plan, Override = DoorOverrideMode.ForceOpen, Maintenance = MaintenanceMode.ForceOpen, Open = true };
        Assert.Equal((state, severity), Pair(DoorLiveStatus.Of(facts)));
    }

    [Theory]
    [InlineData(DoorOverrideMode.Unlock, "override: unlocked")]
    [InlineData(DoorOverrideMode.ForceOpen, "override: held open")]
    [InlineData(DoorOverrideMode.ForceClosed, "override: locked shut")]
    public void Of_RunningOverride_OutranksMaintenance_AndSaysItsMode(DoorOverrideMode mode, string label)
    {
        var status = DoorLiveStatus.Of(Quiet with { Override = mode, Maintenance = MaintenanceMode.ForceClosed });
        Assert.Equal(new DoorLiveStatus(DoorLiveState.Override, DoorLiveSeverity.Notice, label), status);
    }

    [Theory]
    [InlineData(MaintenanceMode.ForceOpen, false, "maintenance: held open")]
    [InlineData(MaintenanceMode.ForceClosed, true, "maintenance: locked shut")]
    [InlineData(MaintenanceMode.Normal, true, "access blocked")]
    public void Of_MaintenanceOrBlocked_IsMaintenance(MaintenanceMode mode, bool blocked, string label)
    {
        var status = DoorLiveStatus.Of(Quiet with { Maintenance = mode, BlockAllAccess = blocked, Open = true });
        Assert.Equal(new DoorLiveStatus(DoorLiveState.Maintenance, DoorLiveSeverity.Notice, label), status);
    }

    [Fact]
    public void Of_NoController_SaysSo_BeforeTheSensorItCannotHave()
    {
        Assert.Equal((DoorLiveState.NoController, DoorLiveSeverity.Notice),
            Pair(DoorLiveStatus.Of(Quiet with { Controller = ControllerLink.None, Open = true })));
    }

    [Fact]
    public void Of_EveryCombination_GivesALabel_AndAlarmSeverityOnlyForAlarmsOrLockdown()
    {
        foreach (var link in Enum.GetValues<ControllerLink>())
        foreach (var open in new[] { false, true })
        foreach (var mode in Enum.GetValues<MaintenanceMode>())
        foreach (var plan in new LockdownKind?[] { null, LockdownKind.Lockdown, LockdownKind.Evacuation })
        foreach (var alarms in new DoorAlarm[][] { [], [DoorAlarm.HeldOpenWarning], [DoorAlarm.ForcedOpen] })
        {
            var status = DoorLiveStatus.Of(new DoorLiveFacts(link, open, !open, alarms, mode, Plan: plan));
            Assert.False(string.IsNullOrWhiteSpace(status.Label));
            if (status.Severity == DoorLiveSeverity.Alarm)
                Assert.True(alarms.Contains(DoorAlarm.ForcedOpen) || plan == LockdownKind.Lockdown, $"{status} from {link} {mode} {plan}");
        }
    }

    private static (DoorLiveState, DoorLiveSeverity) Pair(DoorLiveStatus status) => (status.State, status.Severity);
}
