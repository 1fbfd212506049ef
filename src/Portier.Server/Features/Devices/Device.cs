using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>Unpaired until a pairing code is redeemed; revoked (unpaired by an operator) for good.</summary>
public enum DeviceState { Unpaired, Paired, Revoked }

/// <summary>The door sensor as last reported by the controller.</summary>
public enum DoorSensorState { Unknown, Closed, Open }

/// <summary>
/// A door controller: it drives its default door (<see cref="DoorId"/>) and, through its registered
/// <see cref="Reader"/>s, any other door of its site. Credentials are issued once at
/// pairing and only their hash is kept. Live status (heartbeat, online flag, door sensor) is
/// written by the MQTT gateway with set-based updates, so heartbeats do not flood the audit trail.
/// </summary>
public sealed class Device : IAudited, ISiteOwned, IDoorDirectoryDefinition
{
    public static readonly Duration PairingCodeLifetime = Duration.FromMinutes(10);

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    /// <summary>The controller's default door: where scans naming no registered reader go; null only once that door has been deleted.</summary>
    public Guid? DoorId { get; init; }
    public required string Name { get; set; }
    public DeviceState State { get; private set; } = DeviceState.Unpaired;
    [Secret]
    public string? SecretHash { get; private set; }
    [Secret]
    public string? PairingCodeHash { get; private set; }
    public Instant? PairingCodeExpiresAt { get; private set; }
    public string? HardwareId { get; private set; }
    public string? Model { get; set; }
    public string? Firmware { get; set; }
    public Instant? PairedAt { get; private set; }
    [LiveFact]
    public Instant? LastHeartbeatAt { get; private set; }
    /// <summary>The last online/offline state recorded as a <see cref="DeviceStatusChange"/>.</summary>
    [LiveFact]
    public bool RecordedOnline { get; private set; }
    [LiveFact]
    public DoorSensorState DoorSensor { get; private set; } = DoorSensorState.Unknown;
    [LiveFact]
    public Instant? DoorSensorAt { get; private set; }
    /// <summary>The controller's clock minus the server's at its last heartbeat, in whole seconds.</summary>
    [LiveFact]
    public int? ClockOffsetSeconds { get; private set; }
    /// <summary>Since when the controller's clock has been off by more than the tolerance; null while in range (see <see cref="DeviceClock"/>).</summary>
    [LiveFact]
    public Instant? ClockSkewedSince { get; private set; }
    /// <summary>The latest access decision the controller made on its own, by its clock (see <see cref="ControllerEvent"/>).</summary>
    [LiveFact]
    public Instant? LastOfflineDecisionAt { get; private set; }
    /// <summary>How many events the controller recorded on its own and uploaded (each counted once).</summary>
    [LiveFact]
    public long OfflineEventsUploaded { get; private set; }
    /// <summary>How many events the controller reports it discarded because its buffer was full.</summary>
    [LiveFact]
    public long OfflineEventsDropped { get; private set; }
    public Instant CreatedAt { get; init; }

    /// <summary>Replaces any earlier code; the clear code is returned once and only its hash is kept.</summary>
    public string IssuePairingCode(Instant now)
    {
        RefuseIfRevoked();
        var code = DeviceSecrets.NewPairingCode();
        PairingCodeHash = TokenSecrets.Hash(DeviceSecrets.NormalizePairingCode(code));
        PairingCodeExpiresAt = now + PairingCodeLifetime;
        return code;
    }

    /// <summary>True when the code is this device's current, unexpired code.</summary>
    public bool AcceptsPairingCode(string code, Instant now) =>
        State != DeviceState.Revoked
        && PairingCodeHash is not null
        && PairingCodeExpiresAt > now
        && DeviceSecrets.HashesEqual(PairingCodeHash, TokenSecrets.Hash(DeviceSecrets.NormalizePairingCode(code)));

    /// <summary>Consumes the pairing code and issues a new secret, replacing any earlier credentials. Needs a code issued and not yet redeemed.</summary>
    public string Pair(string hardwareId, Instant now)
    {
        RefuseIfRevoked();
        if (PairingCodeHash is null) throw new TransitionRefusedException("invalid_pairing_code", $"Device {Id} has no pairing code to redeem.");
        var secret = DeviceSecrets.NewSecret();
        SecretHash = TokenSecrets.Hash(secret);
        PairingCodeHash = null;
        PairingCodeExpiresAt = null;
        HardwareId = hardwareId;
        PairedAt = now;
        State = DeviceState.Paired;
        return secret;
    }

    public bool AcceptsSecret(string? secret) =>
        State == DeviceState.Paired && SecretHash is not null && secret is not null
        && DeviceSecrets.HashesEqual(SecretHash, TokenSecrets.Hash(secret));

    private void RefuseIfRevoked()
    {
        if (State == DeviceState.Revoked)
            throw new TransitionRefusedException("device_revoked", $"Device {Id} was unpaired; a revoked device cannot be paired again.");
    }

    /// <summary>Unpairs for good: credentials and any open pairing code stop working at once.</summary>
    public void Revoke()
    {
        State = DeviceState.Revoked;
        SecretHash = null;
        PairingCodeHash = null;
        PairingCodeExpiresAt = null;
    }
}

/// <summary>One recorded transition of a device between online and offline.</summary>
public sealed class DeviceStatusChange
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid DeviceId { get; init; }
    public bool Online { get; init; }
    public Instant At { get; init; }

    /// <summary>What subscribers hear of a device going online or offline: <c>device.online</c> / <c>device.offline</c> and <c>DeviceStatusChanged</c>.</summary>
    public static Announcement Announce(Guid siteId, DeviceStatusPayload status, Instant at) => new(
        LiveEventTypes.DeviceStatusChanged, status.Online ? WebhookEventTypes.DeviceOnline : WebhookEventTypes.DeviceOffline,
        siteId, at, status, status.DoorId);

    /// <summary>Adds the change and its webhook events to <paramref name="db"/> (the caller saves); returns the announcement to publish once saved.</summary>
    public static async Task<Announcement> RecordAsync(PortierDbContext db, WebhookOutbox outbox, Guid siteId, DeviceStatusPayload status, Instant at, CancellationToken ct)
    {
        db.Add(new DeviceStatusChange { DeviceId = status.DeviceId, Online = status.Online, At = at });
        var announcement = Announce(siteId, status, at);
        await outbox.AddAsync(db, [announcement], ct);
        return announcement;
    }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> b)
    {
        b.ToTable("devices");
        b.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Door>().WithMany().HasForeignKey(d => d.DoorId).OnDelete(DeleteBehavior.SetNull);
        b.Property(d => d.Name).HasMaxLength(200);
        b.Property(d => d.SecretHash).HasMaxLength(64);
        // A code is redeemed once even when two requests race: the second save finds the hash changed.
        b.Property(d => d.PairingCodeHash).HasMaxLength(64).IsConcurrencyToken();
        b.Property(d => d.HardwareId).HasMaxLength(200);
        b.Property(d => d.Model).HasMaxLength(200);
        b.Property(d => d.Firmware).HasMaxLength(200);
        b.HasIndex(d => new { d.SiteId, d.Name });
        b.HasIndex(d => d.DoorId);
        b.HasIndex(d => new { d.RecordedOnline, d.LastHeartbeatAt });
    }
}

internal sealed class DeviceStatusChangeConfiguration : IEntityTypeConfiguration<DeviceStatusChange>
{
    public void Configure(EntityTypeBuilder<DeviceStatusChange> b)
    {
        b.ToTable("device_status_changes");
        b.HasOne<Device>().WithMany().HasForeignKey(c => c.DeviceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.DeviceId, c.At });
    }
}
