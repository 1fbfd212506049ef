using Portier.Server.Components.Api;
using Portier.Server.Features.DoorStates;
using Portier.Server.Features.LiveEvents;

namespace Portier.Server.Components.Shared;

/// <summary>
/// The live states of a site's doors (or of one door) as a console page shows them: loaded from the API, and read
/// again for the door an event names whenever the live stream says something that changes a door's state. The
/// page owns the <see cref="SiteLiveEvents"/> and hands its events to <see cref="ApplyAsync"/>.
/// </summary>
public sealed class LiveDoorStates(ConsoleApi api, Guid siteId, Guid? doorId = null)
{
    /// <summary>The live events after which a door's state may differ.</summary>
    private static readonly HashSet<string> Affecting =
    [
        LiveEventTypes.DoorStateChanged, LiveEventTypes.AlarmRaised, LiveEventTypes.AlarmCleared, LiveEventTypes.DeviceStatusChanged,
        LiveEventTypes.DoorOverrideChanged, LiveEventTypes.LockdownStarted, LiveEventTypes.LockdownEnded,
    ];

    private Dictionary<Guid, DoorStateResponse> _states = [];

    public DoorStateResponse? Of(Guid door) => _states.GetValueOrDefault(door);

    public IEnumerable<DoorStateResponse> All => _states.Values;

    public async Task LoadAsync() =>
        _states = ((await api.DoorStates.ListAsync(siteId, doorId)).Value ?? []).ToDictionary(s => s.DoorId);

    /// <summary>Reads again what <paramref name="evt"/> may have changed; true when something was read.</summary>
    public async Task<bool> ApplyAsync(LiveEvent evt)
    {
        if (!Affecting.Contains(evt.Type)) return false;
        // A door-less event (a plan started or ended, a device of no door) may touch any door: read them all.
        if (evt.DoorId is not { } changed)
        {
            await LoadAsync();
            return true;
        }
        if (doorId is not null && changed != doorId) return false;
        foreach (var state in (await api.DoorStates.ListAsync(siteId, changed)).Value ?? []) _states[state.DoorId] = state;
        return true;
    }
}
