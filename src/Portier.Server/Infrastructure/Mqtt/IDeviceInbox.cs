using System.Buffers;
using Portier.Core.Devices;

namespace Portier.Server.Infrastructure.Mqtt;

/// <summary>What became of one inbound device message (Busy: a scan refused because the server cannot take more now).</summary>
public enum InboundOutcome { Accepted, Malformed, UnknownDevice, Refused, Busy }

/// <summary>
/// Where a broker hands what devices publish, and whom it asks before a device may log in. The
/// devices feature implements both; the brokers know only these.
/// </summary>
public interface IDeviceInbox
{
    Task<InboundOutcome> HandleAsync(Guid deviceId, DeviceTopic topic, ReadOnlySequence<byte> payload, CancellationToken ct);

    /// <summary>
    /// A heartbeat or connection status that another node handles (see <see cref="HandleAsync"/>), seen
    /// here too so this node knows which controllers it can reach; nothing is written.
    /// </summary>
    Task ObserveAsync(Guid deviceId, DeviceTopic topic, ReadOnlySequence<byte> payload, CancellationToken ct);

    /// <summary>The broker saw the device's connection end (not taken over by a new one of the same device): it is offline now.</summary>
    Task ConnectionLostAsync(Guid deviceId, CancellationToken ct);

    /// <summary>True when <paramref name="deviceId"/> is paired and <paramref name="secret"/> is the one issued at pairing.</summary>
    Task<bool> AcceptsLoginAsync(Guid deviceId, string? secret, CancellationToken ct);
}
