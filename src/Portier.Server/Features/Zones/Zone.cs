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
    }
}
