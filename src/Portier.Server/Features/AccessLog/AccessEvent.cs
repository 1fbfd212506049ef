using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;

namespace Portier.Server.Features.AccessLog;

/// <summary>How an attempt reached the server: a reader or gate, the member app, an administrator, or the door's schedule.</summary>
public enum AccessMethod { Scan, AppUnlock, AdminOverride, Scheduled }

/// <summary>
/// One attempt and its outcome. Rows are only ever appended: the decision is written before the
/// answer is given, and the door's confirmation (or its absence) is a second row pointing at the
/// first, so no row is ever changed after it is written.
/// </summary>
public sealed class AccessEvent
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid DoorId { get; init; }
    public Guid? ZoneId { get; init; }
    public Guid? PersonId { get; init; }
    public Guid? CredentialId { get; init; }
    public CredentialKind? CredentialKind { get; init; }
    /// <summary>A card or barcode number as presented; never a PIN.</summary>
    public string? PresentedValue { get; init; }
    public Guid? DeviceId { get; init; }
    /// <summary>The controller's reader the credential was presented at, when the scan named one.</summary>
    public string? ReaderId { get; init; }
    public Guid? AdminId { get; init; }
    public AccessMethod Method { get; init; }
    public Instant At { get; init; }
    public bool Allowed { get; init; }
    /// <summary>The decision's reason on an attempt, the door's outcome on an outcome row; stored as its stable code.</summary>
    public required EventReason Reason { get; init; }
    /// <summary>How a grant was authorised (<see cref="DecisionPath.None"/> on a denial); stored as its stable code.</summary>
    public required DecisionPath Path { get; init; }
    public ActuationOutcome Outcome { get; init; }
    /// <summary>Set on an outcome row: the attempt it completes.</summary>
    public Guid? OutcomeOf { get; init; }
    public Guid? CommandId { get; init; }
    /// <summary>
    /// Decided by the controller on its own while it could not reach the server, and uploaded when it
    /// came back: <see cref="At"/> is the controller's clock and the decision is the controller's.
    /// </summary>
    public bool OccurredOffline { get; init; }
    /// <summary>The zone's anti-passback this attempt broke: refused (hard, timed) or let through and recorded (soft, an exit, an override).</summary>
    public PassbackViolation Passback { get; init; }
    /// <summary>At a two-person door, the person who was waiting and passed with this one (the grant names both).</summary>
    public Guid? CompanionPersonId { get; init; }
    /// <summary>Position in the site's hash chain, from 1; assigned by <see cref="AccessEventWriter"/>.</summary>
    public long Sequence { get; internal set; }
    /// <summary>SHA-256 (hex) over this row's canonical fields and the previous row's hash of the same site.</summary>
    public string Hash { get; internal set; } = "";
}

internal sealed class AccessEventConfiguration : IEntityTypeConfiguration<AccessEvent>
{
    public void Configure(EntityTypeBuilder<AccessEvent> b)
    {
        b.ToTable("access_events");
        b.HasIndex(e => new { e.SiteId, e.At });
        // One chain per site: a second writer racing on the same site fails instead of forking it.
        b.HasIndex(e => new { e.SiteId, e.Sequence }).IsUnique();
        b.Property(e => e.Hash).HasMaxLength(64);
        b.HasIndex(e => new { e.DoorId, e.At });
        b.HasIndex(e => new { e.PersonId, e.At });
        b.HasIndex(e => e.OutcomeOf);
        b.Property(e => e.Passback).HasDefaultValue(PassbackViolation.None).HasSentinel(PassbackViolation.None);
        b.Property(e => e.PresentedValue).HasMaxLength(200);
        b.Property(e => e.ReaderId).HasMaxLength(64);
        b.Property(e => e.Reason).HasMaxLength(64).HasConversion(r => r.ToCode(), code => EventReason.Parse(code));
        b.Property(e => e.Path).HasMaxLength(32).HasConversion(p => p.ToCode(), code => ReasonCodes.ParsePath(code));
    }
}
