using Portier.Core.Devices;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Devices;

public sealed record DeviceRequest(Guid DoorId, string Name, string? Model = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(DoorId != Guid.Empty, "doorId", "Is required.");
        errors.NotBlank(Name, "name");
        if (Model is not null) errors.NotBlank(Model, "model");
    }
}

public sealed record DeviceResponse(
    Guid Id,
    Guid SiteId,
    Guid? DoorId,
    string Name,
    DeviceState State,
    bool Online,
    DateTimeOffset? LastHeartbeatAt,
    DoorSensorState DoorSensor,
    DateTimeOffset? DoorSensorAt,
    string? HardwareId,
    string? Model,
    string? Firmware,
    DateTimeOffset? PairedAt,
    DateTimeOffset CreatedAt,
    int? ClockOffsetSeconds,
    bool ClockSkewed,
    DateTimeOffset? ClockSkewedSince,
    DateTimeOffset? LastOfflineDecisionAt = null,
    long OfflineEventsUploaded = 0,
    long OfflineEventsDropped = 0)
{
    public static DeviceResponse From(Device d, DeviceOnline online) => new(
        d.Id, d.SiteId, d.DoorId, d.Name, d.State,
        d.State == DeviceState.Paired && online.IsOnline(d.RecordedOnline, d.LastHeartbeatAt),
        d.LastHeartbeatAt?.ToDateTimeOffset(), d.DoorSensor, d.DoorSensorAt?.ToDateTimeOffset(),
        d.HardwareId, d.Model, d.Firmware, d.PairedAt?.ToDateTimeOffset(), d.CreatedAt.ToDateTimeOffset(),
        d.ClockOffsetSeconds, d.ClockSkewedSince is not null, d.ClockSkewedSince?.ToDateTimeOffset(),
        d.LastOfflineDecisionAt?.ToDateTimeOffset(), d.OfflineEventsUploaded, d.OfflineEventsDropped);
}

/// <summary>The clear pairing code, shown once.</summary>
public sealed record PairingCodeResponse(Guid DeviceId, string Code, DateTimeOffset ExpiresAt);

public sealed record PairRequest(string PairingCode, Guid DeviceId, string HardwareId) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(PairingCode, "pairingCode", 32);
        errors.NotBlank(HardwareId, "hardwareId");
    }
}

/// <summary>
/// The device's MQTT credentials (the password is shown once) and where to connect; for offline mode
/// (protocol version 2), the highest protocol version the server speaks and the site's bundle keys.
/// </summary>
public sealed record PairResponse(Guid DeviceId, string Username, string Password, BrokerEndpoint Mqtt, int ProtocolVersion, OfflineKeys Offline);

/// <summary>
/// What a controller needs to hold bundles: the site's Ed25519 public key that signs them and the key
/// credentials are hashed under (base64, 32 bytes each). Keep the credential key as secret as the password.
/// </summary>
public sealed record OfflineKeys(Guid SiteId, string BundlePublicKey, string CredentialKey);

public sealed record BrokerEndpoint(string Host, int Port, string TopicPrefix);

public sealed record DeviceStatusChangeResponse(bool Online, DateTimeOffset At)
{
    public static DeviceStatusChangeResponse From(DeviceStatusChange c) => new(c.Online, c.At.ToDateTimeOffset());
}

public sealed record DeviceCommandResponse(
    Guid Id,
    CommandType Type,
    int? HoldSeconds,
    string? Reason,
    Guid? ScanId,
    Guid? DoorId,
    CommandStatus Status,
    DateTimeOffset SentAt,
    DateTimeOffset Deadline,
    DateTimeOffset? AckAt)
{
    public static DeviceCommandResponse From(DeviceCommand c) => new(
        c.Id, c.Type, c.HoldSeconds, c.Reason, c.ScanId, c.DoorId, c.Status,
        c.SentAt.ToDateTimeOffset(), c.Deadline.ToDateTimeOffset(), c.AckAt?.ToDateTimeOffset());
}
