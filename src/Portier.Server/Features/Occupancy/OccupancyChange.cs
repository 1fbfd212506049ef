using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Zones;

namespace Portier.Server.Features.Occupancy;

public enum OccupancyChangeKind { Entry, Exit, Correction }

/// <summary>One change of a zone's live count, with the count right after it; the history behind occupancy reports.</summary>
public sealed class OccupancyChange
{
    public long Id { get; init; }
    public Guid ZoneId { get; init; }
    public Guid SiteId { get; init; }
    public Instant At { get; init; }
    public OccupancyChangeKind Kind { get; init; }
    public int Delta { get; init; }
    public int CountAfter { get; init; }
    /// <summary>Who corrected the count and why; null for entries and exits.</summary>
    public string? Actor { get; init; }
    public string? Note { get; init; }
}

internal sealed class OccupancyChangeConfiguration : IEntityTypeConfiguration<OccupancyChange>
{
    public void Configure(EntityTypeBuilder<OccupancyChange> b)
    {
        b.ToTable("occupancy_changes");
        b.HasOne<Zone>().WithMany().HasForeignKey(c => c.ZoneId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.ZoneId, c.At });
        b.Property(c => c.Actor).HasMaxLength(200);
        b.Property(c => c.Note).HasMaxLength(500);
    }
}
