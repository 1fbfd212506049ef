using NodaTime;
using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Zones;

/// <summary>An area doors lead into, with an optional capacity and a live occupancy count.</summary>
public sealed class Zone : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    /// <summary>Null means unlimited.</summary>
    public int? Capacity { get; set; }
    [LiveFact]
    public int CurrentCount { get; set; }
    /// <summary>Ticket-type requirement: when either list is non-empty, only matching people may enter.</summary>
    public List<string> AdmittedPersonTypes { get; set; } = [];
    public List<string> AdmittedTags { get; set; } = [];
    /// <summary>The zone's anti-passback; <see cref="PassbackMinutes"/> is set for timed only.</summary>
    public PassbackMode Passback { get; set; }
    public int? PassbackMinutes { get; set; }
    /// <summary>When every presence in the zone is forgiven each night, "HH:mm" in the site's local time; null = never by itself.</summary>
    public string? PassbackForgiveAt { get; set; }
    /// <summary>The nightly forgiveness has run for every scheduled time up to this instant (set when the time is set, so it starts with the next one).</summary>
    [LiveFact]
    public Instant? PassbackForgivenThrough { get; set; }

    public PassbackRule PassbackRule => new(Passback, PassbackMinutes ?? 0);
}

internal sealed class ZoneConfiguration : IEntityTypeConfiguration<Zone>
{
    public void Configure(EntityTypeBuilder<Zone> b)
    {
        b.ToTable("zones");
        b.HasOne<Site>().WithMany().HasForeignKey(z => z.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(z => new { z.SiteId, z.Slug }).IsUnique();
        b.Property(z => z.Name).HasMaxLength(200);
        b.Property(z => z.Slug).HasMaxLength(100);
        b.Property(z => z.Passback).HasDefaultValue(PassbackMode.Off).HasSentinel(PassbackMode.Off);
        b.Property(z => z.PassbackForgiveAt).HasMaxLength(5);
        b.Ignore(z => z.PassbackRule);
    }
}
