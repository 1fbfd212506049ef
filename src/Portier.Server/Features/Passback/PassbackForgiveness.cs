using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Passback;

/// <summary>
/// One forgiveness: the presences of one person (or of everyone) in a zone set back to unknown, so their
/// next passage either way is no violation. Written in the audit trail with who asked (the nightly one by the system).
/// </summary>
public sealed class PassbackForgiveness : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid ZoneId { get; init; }
    /// <summary>Null: everyone in the zone.</summary>
    public Guid? PersonId { get; init; }
    public Instant At { get; init; }
    /// <summary>The zone's nightly forgiveness rather than an operator's.</summary>
    public bool Nightly { get; init; }
    /// <summary>How many presences were reset.</summary>
    public int Forgiven { get; init; }
}

internal sealed class PassbackForgivenessConfiguration : IEntityTypeConfiguration<PassbackForgiveness>
{
    public void Configure(EntityTypeBuilder<PassbackForgiveness> b)
    {
        b.ToTable("passback_forgivenesses");
        b.HasOne<Zone>().WithMany().HasForeignKey(f => f.ZoneId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(f => new { f.ZoneId, f.At });
    }
}

/// <summary>What the live stream says when presences were forgiven.</summary>
public sealed record PassbackForgivenPayload(Guid ZoneId, Guid? PersonId, bool Nightly, int Forgiven);

/// <summary>Forgives presences in a zone: one reset and its audited record, committed together, then announced on the live stream.</summary>
public sealed class PassbackForgiver(ILiveEventPublisher live, TimeProvider clock)
{
    public async Task<PassbackForgiveness> ForgiveAsync(PortierDbContext db, Zone zone, Guid? personId, bool nightly, CancellationToken ct)
    {
        var at = clock.GetCurrentInstant();
        var presences = db.Set<ZonePresenceRecord>().Where(p => p.ZoneId == zone.Id && (p.State != PresenceState.Unknown || p.LastEntryAt != null));
        if (personId is { } person) presences = presences.Where(p => p.PersonId == person);
        var owned = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var forgiven = await presences.ExecuteUpdateAsync(s => s
                .SetProperty(p => p.State, PresenceState.Unknown).SetProperty(p => p.LastEntryAt, (Instant?)null), ct);
            var record = new PassbackForgiveness { SiteId = zone.SiteId, ZoneId = zone.Id, PersonId = personId, At = at, Nightly = nightly, Forgiven = forgiven };
            db.Add(record);
            await db.SaveChangesAsync(ct);
            if (owned is not null) await owned.CommitAsync(ct);
            live.Publish(LiveEventTypes.PassbackForgiven, zone.SiteId, at, new PassbackForgivenPayload(zone.Id, personId, nightly, forgiven), zoneId: zone.Id);
            return record;
        }
        finally
        {
            if (owned is not null) await owned.DisposeAsync();
        }
    }
}
