using NodaTime;
using Portier.Server.Infrastructure;

namespace Portier.Server.Features.Devices;

/// <summary>
/// The one online rule: a device is online while its last heartbeat is at most five minutes old
/// (inclusive), measured on the injected clock.
/// </summary>
public sealed class DeviceOnline(TimeProvider clock)
{
    public static readonly Duration Window = Duration.FromMinutes(5);

    public static bool At(Instant? lastHeartbeatAt, Instant now) => lastHeartbeatAt is { } last && now - last <= Window;

    public bool IsOnline(Instant? lastHeartbeatAt) => At(lastHeartbeatAt, clock.GetCurrentInstant());

    /// <summary>A controller is online while it is connected (as recorded) and its last heartbeat is recent.</summary>
    public bool IsOnline(bool recordedOnline, Instant? lastHeartbeatAt) => recordedOnline && IsOnline(lastHeartbeatAt);

    /// <summary>Heartbeats older than this are stale now.</summary>
    public Instant StaleBefore() => clock.GetCurrentInstant() - Window;
}
